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
func (db *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := db.stmt(ctx, db.Read, query)
	if err != nil {
		// The unprepared query reports the same error through Scan.
		return db.Read.QueryRowContext(ctx, db.Q(query), args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// readRows runs a read query, prepared.
func (db *DB) readRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := db.stmt(ctx, db.Read, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}
