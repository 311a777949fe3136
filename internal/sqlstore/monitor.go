package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kund/kund/internal/register"
)

// RegisterCursor returns the cursor kept under name, "" when there is none.
func (db *DB) RegisterCursor(ctx context.Context, name string) (string, error) {
	var cursor string
	err := db.Write.QueryRowContext(ctx, db.Q(`SELECT cursor FROM register_cursors WHERE name = ?`), name).Scan(&cursor)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return cursor, db.Err(err)
}

// SetRegisterCursor keeps cursor under name.
func (db *DB) SetRegisterCursor(ctx context.Context, name, cursor string, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`INSERT INTO register_cursors (name, cursor, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`), name, cursor, micros(at))
		return err
	})
}

// DeleteRegisterCursor forgets the cursor kept under name.
func (db *DB) DeleteRegisterCursor(ctx context.Context, name string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`DELETE FROM register_cursors WHERE name = ?`), name)
		return err
	})
}

// MonitoredLedgers returns the numbers of the ledgers that opted in to
// register monitoring, in order.
func (db *DB) MonitoredLedgers(ctx context.Context) ([]string, error) {
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT no FROM ledgers WHERE register_monitoring = ? ORDER BY no`), true)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var no string
		if err := rows.Scan(&no); err != nil {
			return nil, db.Err(err)
		}
		out = append(out, no)
	}
	return out, db.Err(rows.Err())
}

// staleWhere selects a ledger's consumers with a Nordic personal identity
// number (a consumer's number is never an organisation's) whose legal
// address the register has not confirmed since a time.
const staleWhere = ` FROM customers WHERE ledger_no = ? AND legal_entity = 'consumer' AND reg_country IN ('SE', 'NO', 'DK', 'FI')
	AND (legal_confirmed_at IS NULL OR legal_confirmed_at < ?)`

// StaleLegalAddresses returns up to limit customers of a ledger, by
// ascending id after afterID, whose legal address was last confirmed
// before confirmedBefore or never.
func (db *DB) StaleLegalAddresses(ctx context.Context, ledgerNo string, confirmedBefore time.Time, afterID int64, limit int) ([]register.Stale, error) {
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT id, customer_no`+staleWhere+` AND id > ? ORDER BY id LIMIT ?`),
		ledgerNo, micros(confirmedBefore), afterID, limit)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	var out []register.Stale
	for rows.Next() {
		var s register.Stale
		if err := rows.Scan(&s.ID, &s.CustomerNo); err != nil {
			return nil, db.Err(err)
		}
		out = append(out, s)
	}
	return out, db.Err(rows.Err())
}

// CountStaleLegalAddresses is how many customers StaleLegalAddresses
// would return after afterID, without a limit.
func (db *DB) CountStaleLegalAddresses(ctx context.Context, ledgerNo string, confirmedBefore time.Time, afterID int64) (int, error) {
	var n int
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT count(*)`+staleWhere+` AND id > ?`), ledgerNo, micros(confirmedBefore), afterID).Scan(&n)
	return n, db.Err(err)
}
