package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/kund/kund/internal/customer"
)

// Swept counts what one Sweep deleted.
type Swept struct {
	IdempotencyKeys, Tokens, Sessions, Signatures, Lookups, Events int64
}

// sweepBatch bounds one delete, so that a sweep never holds the writer
// (SQLite's one connection, or PostgreSQL's locks) for long.
const sweepBatch = 1000

// Sweep deletes what has expired by now: idempotency keys past their day,
// expired tokens (Payway's live an hour), client sessions, used Worldline
// signatures past their window, disclosure-log entries older than
// retention (none when retention is 0), and events older than their
// ledger's event retention. It deletes in batches, each its own
// transaction, so writers are never blocked for long.
func (db *DB) Sweep(ctx context.Context, now time.Time, retention time.Duration) (Swept, error) {
	var s Swept
	n := micros(now)
	for _, job := range []struct {
		count *int64
		query string
		args  []any
	}{
		{&s.IdempotencyKeys, `DELETE FROM idempotency_keys WHERE (ledger_no, credential, idem_key) IN
			(SELECT ledger_no, credential, idem_key FROM idempotency_keys WHERE expires_at <= ? LIMIT ?)`, []any{n}},
		{&s.Tokens, `DELETE FROM tokens WHERE id IN (SELECT id FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)`, []any{n}},
		{&s.Sessions, `DELETE FROM worldline_sessions WHERE secret_hash IN (SELECT secret_hash FROM worldline_sessions WHERE expires_at <= ? LIMIT ?)`, []any{n}},
		{&s.Signatures, `DELETE FROM worldline_signatures WHERE signature_hash IN (SELECT signature_hash FROM worldline_signatures WHERE expires_at <= ? LIMIT ?)`, []any{n}},
		{&s.Lookups, `DELETE FROM register_lookups WHERE id IN (SELECT id FROM register_lookups WHERE at < ? LIMIT ?)`, []any{micros(now.Add(-retention))}},
		// Each ledger keeps its events for its own number of days.
		{&s.Events, `DELETE FROM events WHERE (ledger_no, sequence) IN (SELECT e.ledger_no, e.sequence FROM events e JOIN ledgers l ON l.no = e.ledger_no
			WHERE e.occurred_at < ? - (CASE WHEN l.event_retention_days > 0 THEN l.event_retention_days ELSE ? END) * 86400000000 LIMIT ?)`,
			[]any{n, int64(customer.DefaultEventRetention / (24 * time.Hour))}},
	} {
		if job.count == &s.Lookups && retention <= 0 {
			continue
		}
		for {
			var deleted int64
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				res, err := tx.ExecContext(ctx, db.Q(job.query), append(job.args, sweepBatch)...)
				if err != nil {
					return err
				}
				deleted, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return s, err
			}
			*job.count += deleted
			if deleted < sweepBatch {
				break
			}
		}
	}
	return s, nil
}
