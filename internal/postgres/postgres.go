// Package postgres is Kund's store on a PostgreSQL server (or an engine that
// speaks its protocol and SQL: CockroachDB, YugabyteDB). It opens a pool of
// pgx connections through database/sql, so the shared SQL of sqlstore runs
// unchanged, and migrates the schema once however many Kund processes start
// together.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/sys/unix"

	"github.com/kund/kund/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open Kund database on PostgreSQL: the shared SQL store on one
// pool that serves both reads and writes.
type DB struct {
	*sqlstore.DB
	pool   *sql.DB
	reader *reader
}

// How long Kund waits for the server before it answers 503: a connection
// attempt, and unacknowledged data on an open connection. Together they keep
// a database outage from hanging requests.
const (
	connectTimeout = time.Second
	ackTimeout     = time.Second
)

// Open connects to the server at url (postgres://...) and migrates it.
func Open(ctx context.Context, url string) (*DB, error) { return open(ctx, url, dialect) }

func open(ctx context.Context, url string, dialect sqlstore.Dialect) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > connectTimeout {
		cfg.ConnectTimeout = connectTimeout
	}
	d := &net.Dialer{KeepAlive: 5 * time.Second, Control: setAckTimeout}
	cfg.DialFunc = d.DialContext
	// Migrations run on connections of their own, without the per-call
	// bound: a long migration, and the processes waiting for it, must not
	// time out.
	mpool := stdlib.OpenDB(*cfg)
	mpool.SetMaxOpenConns(1)
	err = migrate(ctx, mpool)
	mpool.Close()
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	pool := sql.OpenDB(boundedConnector{stdlib.GetConnector(*cfg)})
	pool.SetMaxOpenConns(20)
	// Every connection stays open while idle: with fewer idle than open,
	// a burst closes connections it then has to open again, and opening
	// one under load can take longer than the connect timeout (a 503).
	pool.SetMaxIdleConns(20)
	// Connections are replaced now and then, so a server restart or a
	// failover leaves no stale connection around for long.
	pool.SetConnMaxLifetime(30 * time.Minute)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sqlstore.New(pool, pool, dialect), pool: pool}
	if db.reader, err = openReader(ctx, cfg); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetReader(db.reader)
	// The read cache asks for the server's current snapshot: every
	// transaction that ends, of any client of the server, changes it.
	check := sql.OpenDB(boundedConnector{stdlib.GetConnector(*cfg)})
	check.SetMaxOpenConns(1)
	db.EnableReadCache(sqlstore.SQLChecker(check, `SELECT pg_current_snapshot()::text`))
	return db, nil
}

// setAckTimeout makes writes to a vanished server fail after ackTimeout
// instead of the kernel's default of many minutes.
func setAckTimeout(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, int(ackTimeout/time.Millisecond))
	})
	if err != nil {
		return err
	}
	if serr != nil && !errors.Is(serr, unix.ENOPROTOOPT) && !errors.Is(serr, unix.EOPNOTSUPP) {
		// A Unix socket has no TCP options; anything else is worth knowing.
		if !strings.HasPrefix(network, "unix") {
			return serr
		}
	}
	return nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.reader.close()
	return errors.Join(db.CloseReadCache(), db.pool.Close())
}

// Ping checks that the server answers.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	return db.Err(db.pool.QueryRowContext(ctx, "SELECT 1").Scan(&n))
}

// dialect describes PostgreSQL to the shared store: numbered placeholders,
// row locks for read-modify-write, and SQLSTATE classes for errors.
var dialect = sqlstore.Dialect{
	Numbered:      true,
	MultiRow:      true,
	Copy:          copyRows,
	ForUpdate:     " FOR UPDATE",
	IsUnique:      isUnique,
	IsRetryable:   isRetryable,
	IsUnavailable: isUnavailable,
	// The customers' numbers are their identity column's; a number taken
	// and not used (a transaction rolled back) is a gap.
	NextValuesSQL: `SELECT 0, nextval('customers_id_seq'), 1 FROM generate_series(1, ?::int)
		UNION ALL SELECT 1, nextval('address_uuid_seq'), 1 FROM generate_series(1, ?::int)`,
}

func sqlState(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func isUnique(err error) bool { return sqlState(err) == "23505" }

// isRetryable: serialization failure and deadlock. CockroachDB reports its
// transaction restarts as 40001 too.
func isRetryable(err error) bool {
	s := sqlState(err)
	return s == "40001" || s == "40P01"
}

// isUnavailable reports errors that mean "the server cannot be reached or
// is going away": connection failures, closed connections, the shutdown
// and startup SQLSTATEs and class 08 (connection exception).
func isUnavailable(err error) bool {
	if err == nil {
		return false
	}
	switch s := sqlState(err); {
	case s == "57P01", s == "57P02", s == "57P03", s == "53300", strings.HasPrefix(s, "08"):
		return true
	case s != "":
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
}

// Migrations. Several Kund processes may start on one database at once;
// exactly one applies each migration and the others wait for it:
//
//  1. schema_migrations and a one-row table schema_lock are created if
//     missing and the lock row inserted (ON CONFLICT DO NOTHING). Two
//     processes racing through CREATE TABLE IF NOT EXISTS can still collide
//     in the catalog; the loser simply tries again.
//  2. One transaction locks the row with SELECT ... FOR UPDATE, so the
//     others queue behind it, then applies each migration not yet in
//     schema_migrations and records its version there. A process that
//     gets the lock after another committed finds nothing left to do. The
//     version's primary key is a second guard: a duplicate apply fails
//     and rolls back instead of running twice.
//
// No advisory locks: CockroachDB has none, and row locks work alike on
// PostgreSQL, CockroachDB and YugabyteDB.
func migrate(ctx context.Context, pool *sql.DB) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if err = bootstrap(ctx, pool); err == nil {
			break
		}
		if ctx.Err() != nil || isUnavailable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 5; attempt++ {
		err = apply(ctx, pool)
		if err == nil || !(isRetryable(err) || isUnique(err)) {
			return err
		}
	}
	return err
}

func bootstrap(ctx context.Context, pool *sql.DB) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS schema_lock (id INT PRIMARY KEY)`,
		`INSERT INTO schema_lock (id) VALUES (1) ON CONFLICT (id) DO NOTHING`,
	} {
		if _, err := pool.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, pool *sql.DB) error {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var id int
	if err := tx.QueryRowContext(ctx, `SELECT id FROM schema_lock WHERE id = 1 FOR UPDATE`).Scan(&id); err != nil {
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
