package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kund/kund/internal/customer"
)

// Webhooks and their deliveries (customer.WebhookStore) and the queue
// the deliverer of internal/events works from (DeliveryQueue).

func webhookSecretAD(ledgerNo string) []byte { return []byte("webhook-secret:" + ledgerNo) }

// CreateWebhook stores w following the ledger's journal from its last
// committed event.
func (db *DB) CreateWebhook(ctx context.Context, w *customer.Webhook) error {
	sealed, err := db.seal([]byte(w.Secret), webhookSecretAD(w.LedgerNo))
	if err != nil {
		return err
	}
	events, _ := json.Marshal(w.Events)
	return db.Tx(ctx, func(tx *sql.Tx) error {
		// The ledger's row, locked where the engine has row locks, makes
		// the count and the insert one step for concurrent creates.
		var no string
		if err := tx.QueryRowContext(ctx, db.Q(`SELECT no FROM ledgers WHERE no = ?`+db.d.ForUpdate), w.LedgerNo).Scan(&no); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.Q(`SELECT COUNT(*) FROM webhooks WHERE ledger_no = ?`), w.LedgerNo).Scan(&n); err != nil {
			return err
		}
		if n >= customer.MaxWebhooks {
			return customer.Errorf(customer.ECONFLICT, "The ledger has %d webhooks, the most it may have; delete one first.", customer.MaxWebhooks)
		}
		return tx.QueryRowContext(ctx, db.Q(`INSERT INTO webhooks (ledger_no, url, events, description, secret, created_at, last_sequence)
			VALUES (?, ?, ?, ?, ?, ?, COALESCE((SELECT last_sequence FROM journal_heads WHERE ledger_no = ?), 0)) RETURNING id`),
			w.LedgerNo, w.URL, string(events), w.Description, sealed, micros(w.CreatedAt), w.LedgerNo).Scan(&w.ID)
	})
}

const webhookColumns = `id, ledger_no, url, events, description, created_at`

func scanWebhook(row interface{ Scan(...any) error }) (*customer.Webhook, error) {
	w := &customer.Webhook{}
	var events string
	var at int64
	if err := row.Scan(&w.ID, &w.LedgerNo, &w.URL, &events, &w.Description, &at); err != nil {
		return nil, err
	}
	w.CreatedAt = fromMicros(at)
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, err
	}
	return w, nil
}

// Webhooks are a ledger's webhooks, oldest first, without secrets.
func (db *DB) Webhooks(ctx context.Context, ledgerNo string) ([]*customer.Webhook, error) {
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT `+webhookColumns+` FROM webhooks WHERE ledger_no = ? ORDER BY id`), ledgerNo)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := []*customer.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, db.Err(err)
		}
		out = append(out, w)
	}
	return out, db.Err(rows.Err())
}

// Webhook is one webhook of a ledger, without its secret.
func (db *DB) Webhook(ctx context.Context, ledgerNo string, id int64) (*customer.Webhook, error) {
	w, err := scanWebhook(db.Read.QueryRowContext(ctx, db.Q(`SELECT `+webhookColumns+` FROM webhooks WHERE ledger_no = ? AND id = ?`), ledgerNo, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "The ledger has no webhook %s.", customer.WebhookID(id))
	}
	return w, db.Err(err)
}

// DeleteWebhook removes a webhook and its deliveries.
func (db *DB) DeleteWebhook(ctx context.Context, ledgerNo string, id int64) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		// The webhook's row first: a dispatch holding it commits its
		// deliveries before they are deleted.
		var found int64
		err := tx.QueryRowContext(ctx, db.Q(`SELECT id FROM webhooks WHERE ledger_no = ? AND id = ?`+db.d.ForUpdate), ledgerNo, id).Scan(&found)
		if errors.Is(err, sql.ErrNoRows) {
			return customer.Errorf(customer.ENOTFOUND, "The ledger has no webhook %s.", customer.WebhookID(id))
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q(`DELETE FROM webhook_deliveries WHERE webhook_id = ? AND ledger_no = ?`), id, ledgerNo); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.Q(`DELETE FROM webhooks WHERE ledger_no = ? AND id = ?`), ledgerNo, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return customer.Errorf(customer.ENOTFOUND, "The ledger has no webhook %s.", customer.WebhookID(id))
		}
		return nil
	})
}

const deliveryColumns = `id, webhook_id, ledger_no, sequence, event_type, state, attempts, created_at, next_attempt_at, deadline,
	last_attempt_at, last_status, last_error, last_response, delivered_at, claimed_until`

func scanDelivery(row interface{ Scan(...any) error }) (*customer.Delivery, error) {
	d := &customer.Delivery{}
	var created, next, deadline, last, delivered int64
	if err := row.Scan(&d.ID, &d.WebhookID, &d.LedgerNo, &d.Sequence, &d.EventType, &d.State, &d.Attempts, &created, &next, &deadline,
		&last, &d.LastStatus, &d.LastError, &d.LastResponse, &delivered, &d.Claim); err != nil {
		return nil, err
	}
	d.CreatedAt, d.Deadline = fromMicros(created), fromMicros(deadline)
	if d.State == customer.DeliveryPending {
		d.NextAttemptAt = fromMicros(next)
	}
	if last != 0 {
		d.LastAttemptAt = fromMicros(last)
	}
	if delivered != 0 {
		d.DeliveredAt = fromMicros(delivered)
	}
	return d, nil
}

// Deliveries are a webhook's deliveries, newest first.
func (db *DB) Deliveries(ctx context.Context, ledgerNo string, webhookID int64, skip, limit int) ([]*customer.Delivery, error) {
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = ? AND ledger_no = ? ORDER BY id DESC LIMIT ? OFFSET ?`), webhookID, ledgerNo, limit, skip)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := []*customer.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, db.Err(err)
		}
		out = append(out, d)
	}
	return out, db.Err(rows.Err())
}

// RetryDelivery makes a delivery pending and due at now, with a new retry
// window.
func (db *DB) RetryDelivery(ctx context.Context, ledgerNo string, webhookID, deliveryID int64, now time.Time) (*customer.Delivery, error) {
	var d *customer.Delivery
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = scanDelivery(tx.QueryRowContext(ctx, db.Q(`UPDATE webhook_deliveries SET state = ?, next_attempt_at = ?, deadline = ?, claimed_until = 0
			WHERE id = ? AND webhook_id = ? AND ledger_no = ? RETURNING `+deliveryColumns),
			customer.DeliveryPending, micros(now), micros(now.Add(customer.WebhookRetryWindow)), deliveryID, webhookID, ledgerNo))
		if errors.Is(err, sql.ErrNoRows) {
			return customer.Errorf(customer.ENOTFOUND, "The webhook has no delivery %s.", customer.DeliveryID(deliveryID))
		}
		return err
	})
	return d, err
}

// Dispatch gives the events after each webhook's last sequence to the
// webhook: a delivery for each event of a type it wants, made in the
// transaction that moves the webhook's last sequence on, and claimed at
// once for its first attempt until now+lease, so that the deliverer sends
// it without asking the queue again. At most limit events are looked at
// in all; more reports that a webhook may have further ones.
//
// Events of a ledger become visible in the order of their sequence (a
// write holds its journal head until it commits), so an event after the
// last sequence never appears behind it. On PostgreSQL a webhook that
// another Kund is dispatching is skipped.
func (db *DB) Dispatch(ctx context.Context, now time.Time, limit int, lease time.Duration) (claimed []*customer.PendingDelivery, more bool, err error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT w.id FROM webhooks w JOIN journal_heads h ON h.ledger_no = w.ledger_no
		WHERE h.last_sequence > w.last_sequence ORDER BY w.id`)
	if err != nil {
		return nil, false, db.Err(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, false, db.Err(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, db.Err(err)
	}
	// Each webhook behind gets a share of limit, so that one with a long
	// backlog (after an import) does not hold up the others; the first to
	// be looked at moves on each call.
	var errs []error
	if len(ids) > 0 {
		share := max(1, limit/len(ids))
		start := int(db.dispatchTurn.Add(1) % uint64(len(ids)))
		for k := range ids {
			id := ids[(start+k)%len(ids)]
			if limit <= 0 {
				return claimed, true, errors.Join(errs...)
			}
			var made []*customer.PendingDelivery
			var seen int
			err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
				made, seen, err = db.dispatchWebhook(ctx, tx, id, now, min(share, limit), lease)
				return err
			})
			if err != nil {
				// One webhook that cannot be dispatched (a secret sealed
				// under a lost key) holds up no other.
				errs = append(errs, fmt.Errorf("webhook %s: %w", customer.WebhookID(id), err))
				continue
			}
			claimed = append(claimed, made...)
			more = more || seen == min(share, limit)
			limit -= seen
		}
	}
	return claimed, more, errors.Join(errs...)
}

func (db *DB) dispatchWebhook(ctx context.Context, tx *sql.Tx, id int64, now time.Time, limit int, lease time.Duration) ([]*customer.PendingDelivery, int, error) {
	lock := ""
	if db.d.ForUpdate != "" {
		lock = db.d.ForUpdate + " SKIP LOCKED"
	}
	w := &customer.Webhook{ID: id}
	var events string
	var last, created int64
	var sealed []byte
	err := tx.QueryRowContext(ctx, db.Q(`SELECT ledger_no, url, events, description, created_at, secret, last_sequence FROM webhooks WHERE id = ?`+lock), id).
		Scan(&w.LedgerNo, &w.URL, &events, &w.Description, &created, &sealed, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil // deleted, or another Kund has it
	}
	if err != nil {
		return nil, 0, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, 0, err
	}
	secret, err := db.open(sealed, webhookSecretAD(w.LedgerNo))
	if err != nil {
		return nil, 0, err
	}
	w.Secret, w.CreatedAt = string(secret), fromMicros(created)
	rows, err := tx.QueryContext(ctx, db.Q(`SELECT `+eventColumns+`
		FROM events WHERE ledger_no = ? AND sequence > ? ORDER BY sequence LIMIT ?`), w.LedgerNo, last, limit)
	if err != nil {
		return nil, 0, err
	}
	evs, err := db.scanEvents(rows, w.LedgerNo)
	if err != nil {
		return nil, 0, err
	}
	if len(evs) == 0 {
		// The events after the position are gone (the retention deleted
		// them while no Kund ran): the position moves to the journal's end.
		_, err := tx.ExecContext(ctx, db.Q(`UPDATE webhooks SET last_sequence = COALESCE((SELECT last_sequence FROM journal_heads WHERE ledger_no = ?), last_sequence)
			WHERE id = ?`), w.LedgerNo, id)
		return nil, 0, err
	}
	insert, err := tx.PrepareContext(ctx, db.Q(`INSERT INTO webhook_deliveries (webhook_id, ledger_no, sequence, event_type, state, attempts,
		created_at, next_attempt_at, deadline, claimed_until, last_attempt_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING id`))
	if err != nil {
		return nil, 0, err
	}
	defer insert.Close()
	at, deadline := now, now.Add(customer.WebhookRetryWindow)
	var made []*customer.PendingDelivery
	for _, e := range evs {
		if !w.Matches(e.Type) {
			continue
		}
		d := &customer.Delivery{WebhookID: id, LedgerNo: w.LedgerNo, Sequence: e.Sequence, EventType: e.Type, State: customer.DeliveryPending,
			Attempts: 1, CreatedAt: at, NextAttemptAt: at, Deadline: deadline, LastAttemptAt: at, Claim: micros(at.Add(lease))}
		if err := insert.QueryRowContext(ctx, id, w.LedgerNo, e.Sequence, e.Type, customer.DeliveryPending,
			micros(at), micros(at), micros(deadline), micros(at.Add(lease)), micros(at)).Scan(&d.ID); err != nil {
			return nil, 0, err
		}
		made = append(made, &customer.PendingDelivery{Delivery: d, Webhook: w, Event: e})
	}
	_, err = tx.ExecContext(ctx, db.Q(`UPDATE webhooks SET last_sequence = ? WHERE id = ?`), evs[len(evs)-1].Sequence, id)
	return made, len(evs), err
}

// Claim takes up to limit deliveries that are due at now for a deliverer
// until now+lease, counting the attempt, and returns each with its
// webhook (and secret) and its event (nil when the retention deleted it).
func (db *DB) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*customer.PendingDelivery, error) {
	lock := ""
	if db.d.ForUpdate != "" {
		lock = db.d.ForUpdate + " SKIP LOCKED"
	}
	// Most looks find nothing due; they cost a read, not a write.
	var due int
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT COUNT(*) FROM (SELECT 1 FROM webhook_deliveries
		WHERE state = 'pending' AND next_attempt_at <= ? AND claimed_until <= ? LIMIT 1) d`), micros(now), micros(now)).Scan(&due)
	if err != nil || due == 0 {
		return nil, db.Err(err)
	}
	var claimed []*customer.PendingDelivery
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		claimed = claimed[:0]
		rows, err := tx.QueryContext(ctx, db.Q(`UPDATE webhook_deliveries SET claimed_until = ?, attempts = attempts + 1, last_attempt_at = ?
			WHERE id IN (SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ? AND claimed_until <= ?
				ORDER BY next_attempt_at LIMIT ?`+lock+`)
			RETURNING `+deliveryColumns), micros(now.Add(lease)), micros(now), micros(now), micros(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			claimed = append(claimed, &customer.PendingDelivery{Delivery: d})
		}
		return rows.Err()
	})
	if err != nil || len(claimed) == 0 {
		return nil, db.Err(err)
	}
	if err := db.attachWebhooks(ctx, claimed); err != nil {
		return nil, err
	}
	if err := db.attachEvents(ctx, claimed); err != nil {
		return nil, err
	}
	return claimed, nil
}

func (db *DB) attachWebhooks(ctx context.Context, ps []*customer.PendingDelivery) error {
	hooks := map[int64]*customer.Webhook{}
	broken := map[int64]bool{}
	for _, p := range ps {
		hooks[p.Delivery.WebhookID] = nil
	}
	args := make([]any, 0, len(hooks))
	for id := range hooks {
		args = append(args, id)
	}
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT `+webhookColumns+`, secret FROM webhooks WHERE id IN (?`+strings.Repeat(", ?", len(args)-1)+`)`), args...)
	if err != nil {
		return db.Err(err)
	}
	defer rows.Close()
	for rows.Next() {
		w := &customer.Webhook{}
		var events string
		var at int64
		var sealed []byte
		if err := rows.Scan(&w.ID, &w.LedgerNo, &w.URL, &events, &w.Description, &at, &sealed); err != nil {
			return db.Err(err)
		}
		secret, err := db.open(sealed, webhookSecretAD(w.LedgerNo))
		if err != nil {
			broken[w.ID] = true
			continue
		}
		w.Secret, w.CreatedAt = string(secret), fromMicros(at)
		hooks[w.ID] = w
	}
	if err := rows.Err(); err != nil {
		return db.Err(err)
	}
	for _, p := range ps {
		p.Webhook = hooks[p.Delivery.WebhookID] // nil: deleted since the claim
		if broken[p.Delivery.WebhookID] {
			p.Problem = "the webhook's secret cannot be opened with Kund's key"
		}
	}
	return nil
}

func (db *DB) attachEvents(ctx context.Context, ps []*customer.PendingDelivery) error {
	byLedger := map[string][]any{}
	for _, p := range ps {
		byLedger[p.Delivery.LedgerNo] = append(byLedger[p.Delivery.LedgerNo], p.Delivery.Sequence)
	}
	found := map[string]map[int64]*customer.Event{}
	for ledgerNo, seqs := range byLedger {
		rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT `+eventColumns+`
			FROM events WHERE ledger_no = ? AND sequence IN (?`+strings.Repeat(", ?", len(seqs)-1)+`)`), append([]any{ledgerNo}, seqs...)...)
		if err != nil {
			return db.Err(err)
		}
		evs, err := db.scanEvents(rows, ledgerNo)
		if err != nil {
			return db.Err(err)
		}
		found[ledgerNo] = map[int64]*customer.Event{}
		for _, e := range evs {
			found[ledgerNo][e.Sequence] = e
		}
	}
	for _, p := range ps {
		p.Event = found[p.Delivery.LedgerNo][p.Delivery.Sequence]
	}
	return nil
}

// Finish records the outcome of attempts: each delivery's new state, due
// time and last answer, and gives up its claim.
func (db *DB) Finish(ctx context.Context, outcomes []customer.DeliveryOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		// Only the attempt that holds the claim records its outcome: after a
		// claim ran out and another deliverer took it, or a retry asked for
		// since, the older attempt's outcome is dropped.
		stmt, err := tx.PrepareContext(ctx, db.Q(`UPDATE webhook_deliveries SET state = ?, next_attempt_at = ?, claimed_until = 0,
			last_status = ?, last_error = ?, last_response = ?, delivered_at = ? WHERE id = ? AND claimed_until = ?`))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, o := range outcomes {
			var delivered int64
			if o.State == customer.DeliveryDelivered {
				delivered = micros(o.At)
			}
			if _, err := stmt.ExecContext(ctx, o.State, micros(o.NextAttemptAt), o.Status, o.Error, o.Response, delivered, o.ID, o.Claim); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReleaseClaims gives up every claim, for a deliverer that starts where
// no other runs (one Kund on a SQLite file): what a crash left claimed is
// due again at once, instead of when its claim runs out.
func (db *DB) ReleaseClaims(ctx context.Context) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET claimed_until = 0 WHERE state = 'pending' AND claimed_until > 0`)
		return err
	})
}
