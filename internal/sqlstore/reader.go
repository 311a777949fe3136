package sqlstore

import "context"

// Reader runs the store's hottest reads (a customer by number or uuid, a
// page of customers, a token) through an engine's own interface instead of
// database/sql, where that is cheaper (docs/performance.md, "Seventh
// session"). The queries are the store's shared SQL, rebound for the
// engine. Scan takes the destinations database/sql's Scan takes for the
// store's columns and fails where it would (a NULL into a string, no row
// with sql.ErrNoRows), so the scanning code is the same for both.
type Reader interface {
	// QueryRow runs a query of at most one row. Its Scan must be called:
	// it gives the connection back.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Query runs a query of many rows. Close gives the connection back.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
}

// Row is one row of a query, as *sql.Row.
type Row interface{ Scan(dest ...any) error }

// Rows are the rows of a query, as *sql.Rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// SetReader makes r run the reads of readRow and readRows.
func (db *DB) SetReader(r Reader) { db.reader = r }
