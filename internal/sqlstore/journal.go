package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kund/kund/internal/customer"
)

const (
	raiseHeadSQL = `INSERT INTO journal_heads (ledger_no, last_sequence) VALUES (?, ?)
		ON CONFLICT (ledger_no) DO UPDATE SET last_sequence = journal_heads.last_sequence + excluded.last_sequence
		RETURNING last_sequence`
	insertEventSQL = `INSERT INTO events (ledger_no, sequence, type, occurred_at, customer_no, actor_type, actor_id, request_id, object, previous)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// appendEvents gives evs the ledger's next sequences and stores them, in
// the transaction of the change they record. The ledger's journal head
// keeps the last sequence given; raising it takes the head row's lock
// (PostgreSQL) or happens under the one writer (SQLite), so two writes of
// a ledger never get the same number, and a write rolled back gives its
// numbers back.
//
// Where writers run side by side (PostgreSQL), the events wait for the
// end of their transaction (flushEvents): the head's lock serialises the
// writes of a ledger from the raise to the commit, so the raise is the
// transaction's last statement, one with the events' insert.
func (db *DB) appendEvents(ctx context.Context, tx *sql.Tx, ledgerNo string, evs []*customer.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if db.group == nil {
		for _, e := range evs {
			e.LedgerNo = ledgerNo
		}
		p := db.pending(tx)
		p.evs = append(p.evs, evs...)
		return nil
	}
	var last int64
	if err := db.txRow(ctx, tx, raiseHeadSQL, ledgerNo, len(evs)).Scan(&last); err != nil {
		return err
	}
	for i, e := range evs {
		e.LedgerNo, e.Sequence = ledgerNo, last-int64(len(evs)-1-i)
	}
	for _, e := range evs {
		args, err := db.eventArgs(e)
		if err != nil {
			return err
		}
		if _, err := db.txExec(ctx, tx, insertEventSQL, args...); err != nil {
			return err
		}
	}
	return nil
}

// pending are the events of tx that wait for its end.
func (db *DB) pending(tx *sql.Tx) *pendingEvents {
	v, _ := db.pendingEvents.LoadOrStore(tx, &pendingEvents{})
	return v.(*pendingEvents)
}

// pendingEvents are the events of a transaction not yet written.
type pendingEvents struct {
	evs []*customer.Event
	// snapshots are the customers whose snapshots events without an
	// Object get when they are written: a copy encodes them as it sends
	// them, while the engine writes the events before.
	snapshots map[*customer.Event]*customer.Customer
}

// fill gives e its snapshot if it waits for one.
func (p *pendingEvents) fill(e *customer.Event) {
	if c, ok := p.snapshots[e]; ok && e.Object == nil {
		e.Object = customer.EncodeSnapshot(c)
	}
}

// appendSnapshots appends events of created customers, each the customer
// of snapshots; where events wait for the transaction's end, their
// snapshots are encoded only when they are written.
func (db *DB) appendSnapshots(ctx context.Context, tx *sql.Tx, ledgerNo string, evs []*customer.Event, snapshots map[*customer.Event]*customer.Customer) error {
	switch {
	case len(evs) == 0:
		return nil
	case db.group == nil:
		p := db.pending(tx)
		if p.snapshots == nil {
			p.snapshots = map[*customer.Event]*customer.Customer{}
		}
		maps.Copy(p.snapshots, snapshots)
	default:
		for _, e := range evs {
			e.Object = customer.EncodeSnapshot(snapshots[e])
		}
	}
	return db.appendEvents(ctx, tx, ledgerNo, evs)
}

// flushEvents writes the events appendEvents kept for tx, each ledger's
// with one statement per eventRows events that raises its head and
// inserts them.
func (db *DB) flushEvents(ctx context.Context, tx *sql.Tx) error {
	v, ok := db.pendingEvents.LoadAndDelete(tx)
	if !ok {
		return nil
	}
	p := v.(*pendingEvents)
	evs := p.evs
	var ledgers []string
	byLedger := map[string][]*customer.Event{}
	for _, e := range evs {
		if byLedger[e.LedgerNo] == nil {
			ledgers = append(ledgers, e.LedgerNo)
		}
		byLedger[e.LedgerNo] = append(byLedger[e.LedgerNo], e)
	}
	slices.Sort(ledgers) // heads are locked in one order: no deadlock between two writes of two ledgers
	for _, no := range ledgers {
		all := byLedger[no]
		if db.d.Copy != nil && len(all) >= copyMin {
			if err := db.copyEvents(ctx, tx, no, all, p); err != nil {
				return err
			}
			continue
		}
		for from := 0; from < len(all); from += eventRows {
			chunk := all[from:min(from+eventRows, len(all))]
			args := []any{no, len(chunk), no}
			const row = "(?::bigint, ?, ?::bigint, ?, ?, ?, ?, ?, ?)"
			for i, e := range chunk {
				p.fill(e)
				object, previous, err := db.sealEvent(e)
				if err != nil {
					return err
				}
				args = append(args, i, e.Type, micros(e.OccurredAt), e.CustomerNo, e.Actor.Type, e.Actor.ID, e.RequestID, object, previous)
			}
			rows, err := tx.QueryContext(ctx, db.Q(`WITH h AS (INSERT INTO journal_heads (ledger_no, last_sequence) VALUES (?, ?)
				ON CONFLICT (ledger_no) DO UPDATE SET last_sequence = journal_heads.last_sequence + excluded.last_sequence RETURNING last_sequence)
				INSERT INTO events (ledger_no, sequence, type, occurred_at, customer_no, actor_type, actor_id, request_id, object, previous)
				SELECT ?, h.last_sequence - `+strconv.Itoa(len(chunk)-1)+` + v.i, v.type, v.occurred_at, v.customer_no, v.actor_type, v.actor_id, v.request_id, v.object, v.previous
				FROM h, (VALUES `+row+strings.Repeat(", "+row, len(chunk)-1)+`) AS v (i, type, occurred_at, customer_no, actor_type, actor_id, request_id, object, previous)
				RETURNING sequence`), args...)
			if err != nil {
				return err
			}
			var seqs []int64
			for rows.Next() {
				var seq int64
				if err := rows.Scan(&seq); err != nil {
					rows.Close()
					return err
				}
				seqs = append(seqs, seq)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			slices.Sort(seqs)
			if len(seqs) != len(chunk) {
				return fmt.Errorf("sqlstore: %d events written of %d", len(seqs), len(chunk))
			}
			for i, e := range chunk {
				e.Sequence = seqs[i]
			}
		}
	}
	return nil
}

// eventCopyColumns are the columns of an event row, in copyEvents' order.
var eventCopyColumns = []string{"ledger_no", "sequence", "type", "occurred_at", "customer_no", "actor_type", "actor_id", "request_id", "object", "previous"}

// copyEvents writes the events evs of a ledger with the engine's Copy,
// after raising the ledger's head by their number (which takes its lock).
func (db *DB) copyEvents(ctx context.Context, tx *sql.Tx, ledgerNo string, evs []*customer.Event, p *pendingEvents) error {
	var last int64
	if err := tx.QueryRowContext(ctx, db.Q(raiseHeadSQL), ledgerNo, len(evs)).Scan(&last); err != nil {
		return err
	}
	return db.copy(ctx, tx, "events", eventCopyColumns, len(evs), func(k int) ([]any, error) {
		e := evs[k]
		e.Sequence = last - int64(len(evs)-1-k)
		p.fill(e)
		return db.eventArgs(e)
	})
}

// eventRows is how many events one statement of flushEvents inserts.
const eventRows = 500

func (db *DB) eventArgs(e *customer.Event) ([]any, error) {
	object, previous, err := db.sealEvent(e)
	if err != nil {
		return nil, err
	}
	return []any{e.LedgerNo, e.Sequence, e.Type, micros(e.OccurredAt), e.CustomerNo, e.Actor.Type, e.Actor.ID, e.RequestID, object, previous}, nil
}

// eventAD binds an event's sealed states to its ledger, customer and type
// (its sequence is not known yet where PostgreSQL writes it).
func eventAD(ledgerNo, customerNo, typ, part string) string {
	return "events." + part + "\x00" + ledgerNo + "\x00" + customerNo + "\x00" + typ
}

// sealEvent seals the states of e: snapshots of customers hold their
// personal data.
func (db *DB) sealEvent(e *customer.Event) (object string, previous sql.NullString, err error) {
	if object, err = db.sealText(e.Object, eventAD(e.LedgerNo, e.CustomerNo, e.Type, "object")); err != nil {
		return "", previous, err
	}
	if e.Previous != nil {
		p, err := db.sealText(e.Previous, eventAD(e.LedgerNo, e.CustomerNo, e.Type, "previous"))
		if err != nil {
			return "", previous, err
		}
		previous = sql.NullString{String: p, Valid: true}
	}
	return object, previous, nil
}

// journalCustomer records the change of a customer from old (nil: created)
// to cur: one event per type customer.CustomerEvents gives, none when
// nothing a client sees changed.
func (db *DB) journalCustomer(ctx context.Context, tx *sql.Tx, old, cur *customer.Customer) error {
	types := customer.CustomerEvents(old, cur)
	if len(types) == 0 {
		return nil
	}
	j := customer.JournalOf(ctx)
	object := customer.EncodeSnapshot(cur)
	var previous []byte
	if old != nil {
		previous = customer.EncodeChange(cur, old)
	}
	evs := make([]*customer.Event, len(types))
	for i, t := range types {
		evs[i] = &customer.Event{Type: t, OccurredAt: cur.UpdatedAt, CustomerNo: cur.No, Actor: j.Actor, RequestID: j.RequestID,
			Object: object, Previous: previous}
	}
	return db.appendEvents(ctx, tx, cur.LedgerNo, evs)
}

// journal records one event of a change of something of a customer (a
// surplus, the products, KYC answers): its state after and before.
func (db *DB) journal(ctx context.Context, tx *sql.Tx, ledgerNo, customerNo, typ string, at time.Time, after, before any) error {
	j := customer.JournalOf(ctx)
	e := &customer.Event{Type: typ, OccurredAt: at.UTC(), CustomerNo: customerNo, Actor: j.Actor, RequestID: j.RequestID,
		Object: customer.EncodeSnapshot(after)}
	if before != nil {
		e.Previous = customer.EncodeChange(after, before)
	}
	return db.appendEvents(ctx, tx, ledgerNo, []*customer.Event{e})
}

// Events returns a page of a ledger's journal.
func (db *DB) Events(ctx context.Context, ledgerNo string, q customer.EventQuery) ([]*customer.Event, error) {
	where := []string{"ledger_no = ?"}
	args := []any{ledgerNo}
	if q.After > 0 {
		where = append(where, "sequence > ?")
		args = append(args, q.After)
	}
	if q.CustomerNo != "" {
		where = append(where, "customer_no = ?")
		args = append(args, q.CustomerNo)
	}
	if len(q.Types) > 0 {
		where = append(where, "type IN (?"+strings.Repeat(", ?", len(q.Types)-1)+")")
		for _, t := range q.Types {
			args = append(args, t)
		}
	}
	order := "sequence"
	if q.Newest {
		order = "sequence DESC"
	}
	args = append(args, q.Limit, q.Skip)
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT `+eventColumns+`
		FROM events WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, db.Err(err)
	}
	evs, err := db.scanEvents(rows, ledgerNo)
	return evs, db.Err(err)
}

// eventColumns are what scanEvents reads, in its order.
const eventColumns = `sequence, type, occurred_at, customer_no, actor_type, actor_id, request_id, object, previous`

// scanEvents reads and closes rows of events of a ledger.
func (db *DB) scanEvents(rows *sql.Rows, ledgerNo string) ([]*customer.Event, error) {
	defer rows.Close()
	out := []*customer.Event{}
	for rows.Next() {
		e := &customer.Event{LedgerNo: ledgerNo}
		var at int64
		var object string
		var previous sql.NullString
		if err := rows.Scan(&e.Sequence, &e.Type, &at, &e.CustomerNo, &e.Actor.Type, &e.Actor.ID, &e.RequestID, &object, &previous); err != nil {
			return nil, err
		}
		e.OccurredAt = fromMicros(at)
		var err error
		if e.Object, err = db.openText(object, eventAD(ledgerNo, e.CustomerNo, e.Type, "object")); err != nil {
			return nil, err
		}
		if previous.Valid {
			if e.Previous, err = db.openText(previous.String, eventAD(ledgerNo, e.CustomerNo, e.Type, "previous")); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// JournalHeads are the last sequences of the ledgers that have events.
func (db *DB) JournalHeads(ctx context.Context) (map[string]int64, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT ledger_no, last_sequence FROM journal_heads`)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	heads := map[string]int64{}
	for rows.Next() {
		var no string
		var seq int64
		if err := rows.Scan(&no, &seq); err != nil {
			return nil, db.Err(err)
		}
		heads[no] = seq
	}
	return heads, db.Err(rows.Err())
}
