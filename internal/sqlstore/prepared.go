package sqlstore

import (
	"context"
	"database/sql"
)

// Prepared statements. Preparing the SQL of a query took about a quarter
// of the CPU of a GET (profile in docs/performance.md), so the read
// queries are prepared once per connection and kept: database/sql keeps a
// *sql.Stmt prepared on every pooled connection it has been used on. The
// queries come from package constants and a bounded set of list filters,
// so the cache is bounded too.

type stmtKey struct {
	pool  *sql.DB
	query string
}

// stmt returns the prepared form of query on pool.
func (db *DB) stmt(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	key := stmtKey{pool, query}
	if s, ok := db.stmts.Load(key); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := pool.PrepareContext(ctx, db.Q(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(key, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// readRow runs a one-row read query, prepared.
//
// One-row reads are index lookups that finish in microseconds, so they do
// not follow the cancellation of ctx: with a context that can end,
// database/sql and the SQLite driver each start a goroutine per query to
// watch it (3 % of the CPU of a GET). PostgreSQL's calls have a time bound
// of their own (internal/postgres/bounded.go).
func (db *DB) readRow(ctx context.Context, query string, args ...any) Row {
	ctx = context.WithoutCancel(ctx)
	if db.reader != nil {
		return db.reader.QueryRow(ctx, db.Q(query), args...)
	}
	s, err := db.stmt(ctx, db.Read, query)
	if err != nil {
		// The unprepared query reports the same error through Scan.
		return db.Read.QueryRowContext(ctx, db.Q(query), args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// readRows runs a read query, prepared.
func (db *DB) readRows(ctx context.Context, query string, args ...any) (Rows, error) {
	if db.reader != nil {
		return db.reader.Query(ctx, db.Q(query), args...)
	}
	s, err := db.stmt(ctx, db.Read, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// Write statements are prepared once when the store opens, while the
// writer connection is free: preparing later would need a connection of
// the write pool, which (on SQLite) is the one the transaction holds.
// Inside a transaction, tx.StmtContext runs them on the transaction's
// connection. A query not prepared here still runs, unprepared.
var writeQueries = []string{
	insertCustomerSQL,
	customerByNoSQL + forUpdateMark,
	nextSeqSQL,
	numberTakenSQL,
	wasErasedSQL,
	`DELETE FROM address_uuids WHERE uuid = ?`,
	`SAVEPOINT g`,
	`ROLLBACK TO SAVEPOINT g`,
	`RELEASE SAVEPOINT g`,
	raiseHeadSQL,
	insertEventSQL,
}

// forUpdateMark stands for the dialect's ForUpdate in writeQueries.
const forUpdateMark = "\x00forupdate"

func (db *DB) prepareWrites() {
	qs := append(append(writeQueries, updateCustomerSQL...), db.d.NextValuesSQL)
	for _, q := range qs {
		db.stmt(context.Background(), db.Write, db.forUpdate(q))
	}
}

func (db *DB) forUpdate(q string) string {
	if len(q) > len(forUpdateMark) && q[len(q)-len(forUpdateMark):] == forUpdateMark {
		return q[:len(q)-len(forUpdateMark)] + db.d.ForUpdate
	}
	return q
}

// txStmt is the prepared form of query in tx, or nil.
func (db *DB) txStmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	s, ok := db.stmts.Load(stmtKey{db.Write, query})
	if !ok {
		return nil
	}
	return tx.StmtContext(ctx, s.(*sql.Stmt))
}

// txExec runs a write statement in tx, prepared when it can be.
func (db *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if s := db.txStmt(ctx, tx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, db.Q(query), args...)
}

// txQuery runs a query in tx, prepared when it can be.
func (db *DB) txQuery(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if s := db.txStmt(ctx, tx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, db.Q(query), args...)
}

// txRow runs a one-row query in tx, prepared when it can be.
func (db *DB) txRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if s := db.txStmt(ctx, tx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, db.Q(query), args...)
}
