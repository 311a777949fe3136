package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/operator"
)

// Swept counts what one Sweep deleted.
type Swept struct {
	IdempotencyKeys, Tokens, Sessions, Signatures, Lookups, Events, Deliveries int64
	// OperatorSessions are the console's (Sessions the Worldline clients').
	OperatorSessions int64
}

// sweepBatch bounds one delete, so that a sweep never holds the writer
// (SQLite's one connection, or PostgreSQL's locks) for long.
const sweepBatch = 1000

// Sweep deletes what has expired by now: idempotency keys past their day,
// expired tokens (Payway's live an hour), client sessions, used Worldline
// signatures past their window, console sessions past their idle or
// absolute timeout, disclosure-log entries older than
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
		{&s.OperatorSessions, `DELETE FROM operator_sessions WHERE id_hash IN (SELECT id_hash FROM operator_sessions WHERE seen_at <= ? OR created_at <= ? LIMIT ?)`,
			[]any{micros(now.Add(-operator.IdleTimeout)), micros(now.Add(-operator.AbsoluteTimeout))}},
		{&s.Lookups, `DELETE FROM register_lookups WHERE id IN (SELECT id FROM register_lookups WHERE at < ? LIMIT ?)`, []any{micros(now.Add(-retention))}},
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
	var err error
	s.Events, s.Deliveries, err = db.sweepEvents(ctx, now)
	return s, err
}

// sweepEvents deletes each ledger's events older than its retention. It
// walks a ledger's journal from the oldest event by sequence, a batch at
// a time, and stops at the first batch not wholly expired: the events of
// a ledger are in the order of their times, give or take the moments of
// concurrent writes, and one a little out of order goes with the next
// sweep. The webhook deliveries made as long ago, delivered or failed,
// go with them.
func (db *DB) sweepEvents(ctx context.Context, now time.Time) (events, deliveries int64, err error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT no, event_retention_days FROM ledgers ORDER BY no`)
	if err != nil {
		return 0, 0, db.Err(err)
	}
	type ledger struct {
		no   string
		days int64
	}
	var ledgers []ledger
	for rows.Next() {
		var l ledger
		if err := rows.Scan(&l.no, &l.days); err != nil {
			rows.Close()
			return 0, 0, db.Err(err)
		}
		ledgers = append(ledgers, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, db.Err(err)
	}
	for _, l := range ledgers {
		keep := (&customer.Ledger{EventRetentionDays: int(l.days)}).EventRetention()
		cutoff := micros(now.Add(-keep))
		for _, job := range []struct {
			count *int64
			query string
		}{
			{&events, `DELETE FROM events WHERE ledger_no = ? AND occurred_at < ? AND sequence IN
				(SELECT sequence FROM events WHERE ledger_no = ? ORDER BY sequence LIMIT ?)`},
			{&deliveries, `DELETE FROM webhook_deliveries WHERE ledger_no = ? AND created_at < ? AND id IN
				(SELECT id FROM webhook_deliveries WHERE ledger_no = ? AND state <> 'pending' ORDER BY created_at LIMIT ?)`},
		} {
			for {
				var deleted int64
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					res, err := tx.ExecContext(ctx, db.Q(job.query), l.no, cutoff, l.no, sweepBatch)
					if err != nil {
						return err
					}
					deleted, err = res.RowsAffected()
					return err
				})
				if err != nil {
					return events, deliveries, err
				}
				*job.count += deleted
				if deleted < sweepBatch {
					break
				}
			}
		}
	}
	return events, deliveries, nil
}
