// Package sqlite is Kund's embedded store: one SQLite file in WAL mode with
// one writer connection and a pool of readers (modernc.org/sqlite, no cgo).
// synchronous=FULL makes every acknowledged write survive power loss.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
	zs "zombiezen.com/go/sqlite"

	"github.com/kund/kund/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open Kund database file: the shared SQL store on SQLite
// connections. Its Write pool has exactly one connection, since SQLite has
// one writer.
type DB struct {
	*sqlstore.DB
	path      string
	scrubConn *sql.DB // the WAL checkpoints after an erasure
	reader    *reader
}

// Open opens (creating if needed) and migrates the database at path.
// The file and its -wal and -shm files are left readable and writable by
// their owner alone, since they hold personal data.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if err := ownerOnly(path); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		write.Close()
		return nil, err
	}
	// The hottest reads run on the reader's connections (reader.go); the
	// database/sql pool serves the others, with fewer connections, so that
	// the page caches of both stay within the memory target.
	n := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(n / 2)
	read.SetMaxIdleConns(n / 2)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	db := &DB{DB: sqlstore.New(write, read, dialect), path: path}
	if db.reader, err = openReader(path, n); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	db.SetReader(db.reader)
	// The read cache's freshness check has a connection of its own, which
	// no transaction ever holds.
	db.EnableReadCache(&dataVersion{path: path})
	if db.scrubConn, err = sql.Open("sqlite", scrubDSN(path)); err != nil {
		db.Close()
		return nil, err
	}
	db.scrubConn.SetMaxOpenConns(1)
	db.SetScrub(truncateWAL(db.scrubConn))
	return db, nil
}

// ownerOnly creates the database file with mode 0600 when it does not
// exist, before SQLite would create it under the process umask (0644 by
// default); SQLite gives the -wal and -shm files the mode of the database
// file. An existing database, -wal or -shm file that group or others may
// read or write loses those permissions (0644 becomes 0600).
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		// O_CREATE's mode is subject to the umask, which can only narrow it.
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(p, perm&^0o077); err != nil {
				return err
			}
		}
	}
	return nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// dialect describes SQLite to the shared store: "?" placeholders, no row
// locks (the single writer serialises every write transaction), and a busy
// database as the retryable error.
var dialect = sqlstore.Dialect{
	IsUnique:    isUnique,
	IsRetryable: isBusy,
	GroupCommit: true,
	NextValuesSQL: `UPDATE sequences SET next = next + CASE name WHEN 'customers' THEN ?1 ELSE ?2 END
		RETURNING CASE name WHEN 'customers' THEN 0 ELSE 1 END, next - CASE name WHEN 'customers' THEN ?1 ELSE ?2 END,
			CASE name WHEN 'customers' THEN ?1 ELSE ?2 END`,
}

// truncateWAL moves every page of the WAL into the database file and
// empties the WAL, so that the page images an erasure replaced are gone
// from both files (secure_delete has zeroed what the erasure freed). It
// runs on a connection of its own that does not wait when busy, so the
// writer goes on; a reader that holds an old snapshot, or a write under
// way, keeps the WAL from being emptied for a moment, and it is asked again
// for up to a second. Otherwise SQLite's next checkpoints overwrite the WAL
// from its start.
func truncateWAL(conn *sql.DB) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var busy, logged, moved int
		for range 50 {
			err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved)
			if err != nil && !isBusy(err) {
				return err
			}
			if err == nil && busy == 0 {
				return nil
			}
			time.Sleep(20 * time.Millisecond)
		}
		return errors.New("sqlite: the WAL could not be emptied: readers kept it busy")
	}
}

// scrubDSN is the connection of truncateWAL: it never waits for a lock.
func scrubDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(0)")
	return "file:" + path + "?" + q.Encode()
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	// Page caches (negative: KiB). SQLite's default of 2 MiB makes every
	// index write and most reads of a large file a pread once the file
	// outgrows it: the writer gets 64 MiB, each reader 8 MiB, which keeps
	// the whole process well inside the 200 MB of DESIGN.md.
	if readOnly {
		q.Add("_pragma", "cache_size(-8192)")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "cache_size(-65536)")
		// Group commit runs each write in a savepoint, and SQLite keeps a
		// savepoint's undo pages in a temporary file by default: a pwrite
		// for every page a write touches. In memory, 64 concurrent writers
		// on the store made 8,000 creates/s instead of 1,200.
		q.Add("_pragma", "temp_store(2)")
		// What a write deletes or replaces is zeroed in the file, so that
		// an erased customer's values do not stay on free pages.
		q.Add("_pragma", "secure_delete(1)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Close closes the database.
func (db *DB) Close() error {
	db.DB.Stop()
	var scrub error
	if db.scrubConn != nil {
		scrub = db.scrubConn.Close()
	}
	var reads error
	if db.reader != nil {
		reads = db.reader.close()
	}
	return errors.Join(db.CloseReadCache(), reads, db.Read.Close(), db.Write.Close(), scrub)
}

// Ping checks that the file can be read.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	return db.Read.QueryRowContext(ctx, "SELECT 1").Scan(&n)
}

// IntegrityCheck runs SQLite's integrity_check and returns its verdict
// ("ok" when the file is sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var s string
	err := db.Read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&s)
	return s, err
}

func migrate(ctx context.Context, write *sql.DB) error {
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return err
	}
	ms, err := sqlstore.Migrations(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := sqlstore.Apply(ctx, tx, dialect, ms); err != nil {
		return err
	}
	return tx.Commit()
}

// Driver error classes.
func isUnique(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func isBusy(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED
	}
	// The reader's connections (reader.go) report zombiezen's errors.
	switch zs.ErrCode(err).ToPrimary() {
	case zs.ResultBusy, zs.ResultLocked:
		return true
	}
	return false
}
