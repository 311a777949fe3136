package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// The reader's connections (reader.go) against the writer's database/sql
// connection on one file.
func readerDB(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = db.Write.ExecContext(ctx, `CREATE TABLE r (k TEXT PRIMARY KEY, n INTEGER, b BLOB, t TEXT, f INTEGER NOT NULL) STRICT`)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO r VALUES ('a', 1, x'01', 'one', 1)`,
		`INSERT INTO r VALUES ('b', 2, x'02', NULL, 0)`,
		`INSERT INTO r VALUES ('c', 3, NULL, 'three', 1)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// A statement keeps the values bound to it and binds only what changed:
// every call must still see its own arguments.
func TestReaderBindsEachCallsArguments(t *testing.T) {
	db := readerDB(t)
	ctx := context.Background()
	for _, k := range []string{"a", "a", "b", "a", "c", "c", "b"} {
		var n int64
		if err := db.reader.QueryRow(ctx, `SELECT n FROM r WHERE k = ?`, k).Scan(&n); err != nil {
			t.Fatal(k, err)
		}
		if want := int64(k[0]-'a') + 1; n != want {
			t.Fatalf("%s: got %d, want %d", k, n, want)
		}
	}
	// A LIMIT bound the same and then another value.
	for _, limit := range []int{1, 1, 3, 2, 2, 1} {
		rs, err := db.reader.Query(ctx, `SELECT k FROM r WHERE n >= ? ORDER BY k LIMIT ?`, 1, limit)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for rs.Next() {
			got++
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
		if got != limit {
			t.Fatalf("LIMIT %d: %d rows", limit, got)
		}
	}
	// A []byte argument changed in place by its caller is bound anew.
	b := []byte{1}
	for _, v := range []byte{1, 2, 1} {
		b[0] = v
		var k string
		if err := db.reader.QueryRow(ctx, `SELECT k FROM r WHERE b = ?`, b).Scan(&k); err != nil {
			t.Fatal(v, err)
		}
		if want := string(rune('a' + v - 1)); k != want {
			t.Fatalf("blob %d: got %s, want %s", v, k, want)
		}
	}
}

// Scan converts as database/sql does for the store's destinations.
func TestReaderScan(t *testing.T) {
	db := readerDB(t)
	ctx := context.Background()
	var (
		s  string
		ns sql.NullString
		n  int
		bs []byte
		f  bool
	)
	if err := db.reader.QueryRow(ctx, `SELECT t, t, n, b, f FROM r WHERE k = 'a'`).Scan(&s, &ns, &n, &bs, &f); err != nil {
		t.Fatal(err)
	}
	if s != "one" || ns != (sql.NullString{String: "one", Valid: true}) || n != 1 || len(bs) != 1 || bs[0] != 1 || !f {
		t.Fatalf("got %q %v %d %v %v", s, ns, n, bs, f)
	}
	if err := db.reader.QueryRow(ctx, `SELECT t FROM r WHERE k = 'b'`).Scan(&ns); err != nil || ns.Valid {
		t.Fatalf("NULL into NullString: %v %v", ns, err)
	}
	if err := db.reader.QueryRow(ctx, `SELECT t FROM r WHERE k = 'b'`).Scan(&s); err == nil {
		t.Fatal("NULL into a string: no error")
	}
	if err := db.reader.QueryRow(ctx, `SELECT t FROM r WHERE k = 'x'`).Scan(&s); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("no row: %v", err)
	}
	if err := db.reader.QueryRow(ctx, `SELECT t, n FROM r WHERE k = 'a'`).Scan(&s); err == nil {
		t.Fatal("two columns into one destination: no error")
	}
	if err := db.reader.QueryRow(ctx, `SELECT t FROM r WHERE k = ?`, struct{}{}).Scan(&s); err == nil {
		t.Fatal("an argument of no SQL type: no error")
	}
	if err := db.reader.QueryRow(ctx, `SELECT nonsense FROM r`).Scan(&s); err == nil {
		t.Fatal("a query that does not prepare: no error")
	}
}

// Every way a read ends gives its connection back: more reads than
// connections, each ended early, in error or in full, all run.
func TestReaderGivesConnectionsBack(t *testing.T) {
	db := readerDB(t)
	ctx := context.Background()
	for i := range 5 * cap(db.reader.free) {
		switch i % 4 {
		case 0: // closed before its last row
			rs, err := db.reader.Query(ctx, `SELECT k FROM r`)
			if err != nil {
				t.Fatal(err)
			}
			rs.Next()
			rs.Close()
		case 1: // read to its end
			rs, err := db.reader.Query(ctx, `SELECT k FROM r`)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
			}
			rs.Close()
		case 2: // a failed scan
			var s string
			db.reader.QueryRow(ctx, `SELECT t FROM r WHERE k = 'b'`).Scan(&s)
		case 3: // a bind that failed
			db.reader.QueryRow(ctx, `SELECT t FROM r WHERE k = ?`).Scan(new(string))
		}
	}
	if got := len(db.reader.free); got != cap(db.reader.free) {
		t.Fatalf("%d of %d connections free", got, cap(db.reader.free))
	}
	// What the writer commits, the next read sees.
	if _, err := db.Write.ExecContext(ctx, `UPDATE r SET n = 9 WHERE k = 'a'`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.reader.QueryRow(ctx, `SELECT n FROM r WHERE k = 'a'`).Scan(&n); err != nil || n != 9 {
		t.Fatalf("after the write: %d %v", n, err)
	}
}

// Closing the reader closes the free connections at once and one in use
// when it is given back: the read in flight still gets its row, and a read
// after the close fails rather than waiting for a connection.
func TestReaderClose(t *testing.T) {
	db := readerDB(t)
	ctx := context.Background()
	inFlight := db.reader.QueryRow(ctx, `SELECT n FROM r WHERE k = ?`, "c")
	if err := db.reader.close(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := inFlight.Scan(&n); err != nil || n != 3 {
		t.Fatalf("the read in flight: %d %v", n, err)
	}
	if got := len(db.reader.free); got != 0 {
		t.Fatalf("%d connections given back after the close", got)
	}
	done := make(chan error, 1)
	go func() { done <- db.reader.QueryRow(ctx, `SELECT n FROM r WHERE k = ?`, "a").Scan(&n) }()
	select {
	case err := <-done:
		if !errors.Is(err, errReaderClosed) {
			t.Fatalf("a read after the close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a read after the close waits for a connection")
	}
	if err := db.reader.close(); err != nil {
		t.Fatalf("a second close: %v", err)
	}
}
