package postgres_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/pgtest"
	"github.com/kund/kund/internal/postgres"
)

// TestMigrationsHaveTwins: every SQLite migration has its PostgreSQL twin
// of the same name, and no twin is without its original.
func TestMigrationsHaveTwins(t *testing.T) {
	names := func(dir string) map[string]bool {
		paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no migrations in %s: %v", dir, err)
		}
		m := map[string]bool{}
		for _, p := range paths {
			m[filepath.Base(p)] = true
		}
		return m
	}
	lite, pg := names("../sqlite/migrations"), names("migrations")
	for n := range lite {
		if !pg[n] {
			t.Errorf("internal/sqlite/migrations/%s has no twin in internal/postgres/migrations", n)
		}
	}
	for n := range pg {
		if !lite[n] {
			t.Errorf("internal/postgres/migrations/%s has no twin in internal/sqlite/migrations", n)
		}
	}
}

// TestConcurrentOpen: Kund processes starting together on an empty
// database all come up; each migration was applied exactly once.
func TestConcurrentOpen(t *testing.T) {
	url := pgtest.URL(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(context.Background(), url)
			if err == nil {
				err = db.Ping(context.Background())
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	files, _ := filepath.Glob("migrations/*.sql")
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, versions int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != len(files) || versions != len(files) {
		t.Fatalf("schema_migrations has %d rows of %d versions, want %d", rows, versions, len(files))
	}
}

// TestOpenWaitsForMigrator: while another process holds the migration
// lock (as during a long migration), Open waits for it rather than timing
// out like a request would, and then comes up.
func TestOpenWaitsForMigrator(t *testing.T) {
	url := pgtest.URL(t)
	first, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	other, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`SELECT id FROM schema_lock WHERE id = 1 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	opened := make(chan error, 1)
	go func() {
		db, err := postgres.Open(context.Background(), url)
		if err == nil {
			db.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		t.Fatalf("Open did not wait for the lock holder: %v", err)
	case <-time.After(2500 * time.Millisecond):
	}
	tx.Rollback()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Open still waits after the lock was released")
	}
}
