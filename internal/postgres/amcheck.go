package postgres

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoAmcheck says that the amcheck extension cannot be had (it is not
// installed on the server, or the role may not create it).
var ErrNoAmcheck = errors.New("the amcheck extension is not available (it needs a role that may CREATE EXTENSION amcheck)")

// CheckIndexes is the PostgreSQL counterpart of SQLite's integrity_check
// for `kund crashtest`: amcheck's bt_index_check, with heapallindexed, on
// every B-tree index of Kund's schema, which proves each index sound and
// holding exactly the rows of its table. It returns the number of indexes
// checked. The extension is created for the check when it is missing and
// dropped again afterwards.
func (db *DB) CheckIndexes(ctx context.Context) (int, error) {
	var installed bool
	if err := db.pool.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')`).Scan(&installed); err != nil {
		return 0, err
	}
	if !installed {
		if _, err := db.pool.ExecContext(ctx, `CREATE EXTENSION amcheck`); err != nil {
			return 0, fmt.Errorf("%w: %v", ErrNoAmcheck, err)
		}
		defer db.pool.ExecContext(context.WithoutCancel(ctx), `DROP EXTENSION IF EXISTS amcheck`)
	}
	rows, err := db.pool.QueryContext(ctx, `SELECT c.oid::regclass::text FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_am a ON a.oid = c.relam
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE a.amname = 'btree' AND n.nspname = current_schema() AND i.indisvalid AND i.indisready
		ORDER BY 1`)
	if err != nil {
		return 0, err
	}
	var indexes []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return 0, err
		}
		indexes = append(indexes, name)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, name := range indexes {
		if _, err := db.pool.ExecContext(ctx, `SELECT bt_index_check($1::regclass, true)`, name); err != nil {
			return 0, fmt.Errorf("index %s: %w", name, err)
		}
	}
	if len(indexes) == 0 {
		return 0, errors.New("no index found in the current schema")
	}
	return len(indexes), nil
}
