// Package sqlstore is Kund's Store written once in SQL that SQLite,
// PostgreSQL and the PostgreSQL-compatible distributed engines all accept.
// The engine packages open connections, run their own migrations and
// describe their driver in a Dialect; every query and every rule of
// storage lives here, so the engines cannot drift apart.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kund/kund/internal/customer"
)

// Dialect is what differs between engines.
type Dialect struct {
	// Numbered placeholders ($1, $2, ...) instead of "?".
	Numbered bool
	// ForUpdate is appended to the read of a read-modify-write
	// transaction (" FOR UPDATE" where the engine has row locks).
	ForUpdate string
	// IsUnique reports a unique-constraint violation.
	IsUnique func(error) bool
	// IsRetryable reports a transaction that failed only because of
	// another one (serialization failure, deadlock, busy) and may be run
	// again.
	IsRetryable func(error) bool
	// IsUnavailable reports that the database cannot be reached.
	IsUnavailable func(error) bool
	// GroupCommit commits concurrent write transactions together (see
	// groupcommit.go); for engines with a single writer connection.
	GroupCommit bool
	// MultiRow writes the rows of a bulk write with statements of many
	// rows each: a round trip per statement instead of per row, for an
	// engine behind a network.
	MultiRow bool
	// Copy, where the engine has a bulk-load protocol (PostgreSQL's COPY),
	// writes n rows into table on conn, inside the transaction open there.
	// It asks for row k (0 to n-1, in order) when it sends it, so what a
	// row costs to compute overlaps the engine's writing of the rows
	// before. A row that breaks a constraint fails the whole call.
	Copy func(ctx context.Context, conn *sql.Conn, table string, columns []string, n int, row func(k int) ([]any, error)) error
	// NextValuesSQL takes numbers from the two sequences of uuids.go, in a
	// write transaction: its parameters are how many customer numbers and
	// how many address numbers, its rows (kind, first, n) the numbers
	// first to first+n-1 of the customers' sequence (kind 0) or the
	// addresses' (kind 1).
	NextValuesSQL string
}

// DB is the shared store on an engine's connections. Writes go to Write,
// reads to Read (the same pool on engines with one).
type DB struct {
	Write *sql.DB
	Read  *sql.DB
	d     Dialect
	q     sync.Map // rebound queries, by their "?" text
	group *committer
	stmts sync.Map // prepared statements, by stmtKey
	cache *readCache
	keys  Sealer // nil: sealed values can be neither written nor read
	// reader, when set, runs readRow and readRows instead of Read.
	reader Reader
	// committed is called after each committed write transaction (the
	// webhook deliverer's wake-up); it must not block.
	committed atomic.Pointer[func()]
	// dispatchTurn rotates the webhook a dispatch looks at first.
	dispatchTurn atomic.Uint64
	// pendingEvents are the events of each open transaction that wait for
	// its end (journal.go), by *sql.Tx.
	pendingEvents sync.Map
	// txConns are the connections of open write transactions, by *sql.Tx,
	// where the dialect has Copy (which runs on the connection).
	txConns sync.Map
	// uuids holds the uuid keys once loaded (uuids.go).
	uuids atomic.Pointer[uuidState]
	// scrub, when set, runs after an erasure has committed (SetScrub).
	scrub func(ctx context.Context) error
}

// SetScrub sets what runs after an erasure has committed, so that the
// engine's files no longer hold the pages it replaced (SQLite: the WAL's
// former page images).
func (db *DB) SetScrub(f func(ctx context.Context) error) { db.scrub = f }

// OnCommit sets what is called after each committed write transaction,
// but those run under Quiet.
func (db *DB) OnCommit(f func()) { db.committed.Store(&f) }

type quietKey struct{}

// Quiet marks the write transactions of ctx as the event machinery's own
// (the webhook queue's): they do not call OnCommit's function, which
// would wake the deliverer for its own bookkeeping.
func Quiet(ctx context.Context) context.Context { return context.WithValue(ctx, quietKey{}, true) }

// New returns a store over open, migrated connections.
func New(write, read *sql.DB, d Dialect) *DB {
	db := &DB{Write: write, Read: read, d: d}
	db.prepareWrites()
	if d.GroupCommit {
		db.startGroupCommit()
	}
	return db
}

// Q rebinds a query written with "?" placeholders for the engine. Queries
// are built from package constants (a bounded set), so each rebound text is
// computed once and kept.
func (db *DB) Q(query string) string {
	if !db.d.Numbered {
		return query
	}
	if q, ok := db.q.Load(query); ok {
		return q.(string)
	}
	q := rebind(query)
	db.q.Store(query, q)
	return q
}

func rebind(query string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// Tx runs fn in a write transaction and commits it. A transaction that
// fails because of another one is run again, a few times.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.tx(ctx, fn)
		if err == nil {
			if f := db.committed.Load(); f != nil && ctx.Value(quietKey{}) == nil {
				(*f)()
			}
			break
		}
		if db.d.IsRetryable == nil || !db.d.IsRetryable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return db.Err(ctx.Err())
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return db.Err(err)
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.group != nil {
		return db.groupTx(ctx, fn)
	}
	// The transaction does not end with the request: its statements get
	// ctx, and one cut off by a client leaving fails and rolls it back, but
	// once they have run, the client leaving neither rolls it back nor cuts
	// off its COMMIT (which the engine's call timeout bounds), as with group
	// commit.
	tx, err := db.begin(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	defer db.release(tx) // after the rollback
	defer tx.Rollback()
	defer db.pendingEvents.Delete(tx)
	if err := fn(tx); err != nil {
		return err
	}
	if err := db.flushEvents(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// begin starts a write transaction; where the dialect has Copy, on a
// connection of its own that copyRows finds and that is given back when
// the transaction ends.
func (db *DB) begin(ctx context.Context) (*sql.Tx, error) {
	if db.d.Copy == nil {
		return db.Write.BeginTx(ctx, nil)
	}
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	db.txConns.Store(tx, conn)
	return tx, nil
}

// release gives back the connection of tx, after it has ended, if begin
// took one.
func (db *DB) release(tx *sql.Tx) {
	if conn, ok := db.txConns.LoadAndDelete(tx); ok {
		conn.(*sql.Conn).Close()
	}
}

// Err maps driver errors to the domain: a database that cannot be reached,
// or a transaction that keeps failing because of others, is unavailable
// (503, try again); domain errors and everything else pass unchanged.
func (db *DB) Err(err error) error {
	var de *customer.Error
	switch {
	case err == nil, errors.As(err, &de):
		return err
	case errors.Is(err, context.DeadlineExceeded),
		db.d.IsRetryable != nil && db.d.IsRetryable(err),
		db.d.IsUnavailable != nil && db.d.IsUnavailable(err),
		errors.Is(err, sql.ErrConnDone):
		return customer.Errorf(customer.EUNAVAILABLE, "The database is unavailable; try again.")
	}
	return err
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(n int64) time.Time { return time.UnixMicro(n).UTC() }

func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func fromNullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}
