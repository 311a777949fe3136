package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kund/kund/internal/sqlstore"
)

// reader runs the store's hottest reads through pgx's own interface (a
// pgxpool, pgx's statement cache per connection) instead of its
// database/sql adapter: a GET cost Kund less CPU that way
// (docs/performance.md, "Seventh session"). Every call is bounded by
// callTimeout, as the database/sql connections' calls are.
type reader struct {
	pool *pgxpool.Pool
}

// readerConns is the reader pool's size: beside the 20 of the database/sql
// pool, enough for the reads of a machine of a few cores.
const readerConns = 8

func openReader(ctx context.Context, cfg *pgx.ConnConfig) (*reader, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	pc.ConnConfig = cfg.Copy()
	pc.MaxConns = readerConns
	pc.MaxConnLifetime = 30 * time.Minute // as the database/sql pool's, for failovers
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, err
	}
	return &reader{pool: pool}, nil
}

func (r *reader) close() { r.pool.Close() }

func (r *reader) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	return &row{row: r.pool.QueryRow(ctx, query, args...), cancel: cancel}
}

func (r *reader) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	rs, err := r.pool.Query(ctx, query, args...)
	if err != nil {
		cancel()
		return nil, err
	}
	return &rows{Rows: rs, cancel: cancel}, nil
}

type row struct {
	row    pgx.Row
	cancel context.CancelFunc
}

func (w *row) Scan(dest ...any) error {
	defer w.cancel()
	err := w.row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sql.ErrNoRows
	}
	return err
}

type rows struct {
	pgx.Rows
	cancel context.CancelFunc
}

func (w *rows) Close() error {
	w.Rows.Close()
	w.cancel()
	return nil
}
