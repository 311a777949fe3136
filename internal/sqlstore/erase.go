package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/kund/kund/internal/customer"
)

// An erased customer's row leaves customers, so that no lookup of any API
// can find it by construction; erased_customers keeps what bookkeeping
// needs (docs/privacy.md).

const (
	wasErasedSQL    = `SELECT count(*) FROM erased_customers WHERE ledger_no = ? AND customer_no = ?`
	lockCustomerSQL = `SELECT id FROM customers WHERE ledger_no = ? AND customer_no = ?`
)

// wasErased reports whether the ledger's customer number belongs to an
// erased customer.
func (db *DB) wasErased(ctx context.Context, q queryer, ledgerNo, no string) (bool, error) {
	var n int
	err := db.queryRow(ctx, q, wasErasedSQL, ledgerNo, no).Scan(&n)
	return n > 0, err
}

// numberUsed reports whether a customer number is taken, by a customer or
// by one erased: a number is never given twice.
func (db *DB) numberUsed(ctx context.Context, q queryer, ledgerNo, no string) (bool, error) {
	taken, err := db.numberTaken(ctx, q, ledgerNo, no)
	if err != nil || taken {
		return taken, err
	}
	return db.wasErased(ctx, q, ledgerNo, no)
}

// erasedMeanwhile refuses, where writers run side by side (PostgreSQL), a
// bulk insert of a number whose erasure committed while the insert waited
// for it: the erased row was in customers when erasedAmong looked, and
// gone when the insert's unique check went on. stored says which of cs
// were inserted. (SQLite's one writer cannot interleave.)
func (db *DB) erasedMeanwhile(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, stored []bool) error {
	if db.group != nil {
		return nil
	}
	var written []*customer.Customer
	for i, c := range cs {
		if stored[i] {
			written = append(written, c)
		}
	}
	erased, err := db.erasedAmong(ctx, tx, ledgerNo, written)
	if err != nil {
		return err
	}
	for _, c := range written {
		if erased[c.No] {
			return customer.Errorf(customer.ECUSTOMEREXISTS, "The customer number %s was erased while it was written; the number is not given again.", c.No)
		}
	}
	return nil
}

// absent is the error for a customer number that customers does not hold:
// ECUSTOMERERASED when it was erased, ECUSTOMERNOTFOUND otherwise.
func (db *DB) absent(ctx context.Context, q queryer, ledgerNo, no string) error {
	erased, err := db.wasErased(ctx, q, ledgerNo, no)
	if err != nil {
		return err
	}
	if erased {
		return errErased()
	}
	return customer.Errorf(customer.ECUSTOMERNOTFOUND, "The customer does not exist.")
}

func errErased() error {
	return customer.Errorf(customer.ECUSTOMERERASED, "The customer was erased.")
}

// lockCustomer checks, in a write of something of a customer, that the
// customer exists, and keeps it from being erased until tx ends (a row
// lock where the engine has them; SQLite has one writer).
func (db *DB) lockCustomer(ctx context.Context, tx *sql.Tx, ledgerNo, no string) error {
	var id int64
	err := tx.QueryRowContext(ctx, db.Q(lockCustomerSQL+db.d.ForUpdate), ledgerNo, no).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return db.absent(ctx, tx, ledgerNo, no)
	}
	return err
}

// eraseDeletes remove the rows that are nothing but the customer's
// personal data, each with the ledger and the customer number as
// arguments.
var eraseDeletes = []string{
	`DELETE FROM customer_products WHERE ledger_no = ? AND customer_no = ?`,
	`DELETE FROM kyc_answers WHERE ledger_no = ? AND customer_no = ?`,
	`DELETE FROM card_registrations WHERE ledger_no = ? AND customer_no = ?`,
	`DELETE FROM card_consents WHERE ledger_no = ? AND customer_no = ?`,
	// Stored replies of writes of the customer hold its representation.
	`DELETE FROM idempotency_keys WHERE ledger_no = ? AND written_customer_no = ?`,
	// The receivers' answers to the deliveries of its events may echo them.
	`UPDATE webhook_deliveries SET last_response = '', last_error = '' WHERE ledger_no = ? AND sequence IN
		(SELECT sequence FROM events WHERE ledger_no = webhook_deliveries.ledger_no AND customer_no = ?)`,
	`DELETE FROM customers WHERE ledger_no = ? AND customer_no = ?`,
}

// EraseCustomer removes a customer's personal data in one transaction.
func (db *DB) EraseCustomer(ctx context.Context, e *customer.Erasure, redact func(*customer.Event) error) (*customer.Customer, error) {
	var was *customer.Customer
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		_, was, err = db.scanCustomer(db.txRow(ctx, tx, db.forUpdate(customerByNoSQL+forUpdateMark), e.LedgerNo, e.CustomerNo))
		if errors.Is(err, sql.ErrNoRows) {
			return db.absent(ctx, tx, e.LedgerNo, e.CustomerNo)
		} else if err != nil {
			return err
		}
		surpluses, err := db.surpluses(ctx, tx, e.LedgerNo, e.CustomerNo, db.d.ForUpdate)
		if err != nil {
			return err
		}
		for _, sp := range surpluses {
			if customer.ErasureBlocks(sp.Status) {
				return customer.Errorf(customer.EERASEBLOCKED,
					"The customer has a surplus that is %s (%s): it must be paid out or depleted before the customer can be erased.", sp.Status, sp.ID)
			}
		}
		e.LegalEntity, e.CreatedAt = was.LegalEntity, was.CreatedAt
		if err := db.redactEvents(ctx, tx, e, redact); err != nil {
			return err
		}
		for _, sp := range surpluses {
			if sp.ActiveOrder == nil {
				continue
			}
			order, err := db.orderColumn(sp, sp.ActiveOrder.Redacted())
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.Q(`UPDATE surpluses SET active_order = ? WHERE ledger_no = ? AND customer_no = ? AND surplus_key = ?`),
				order, e.LedgerNo, e.CustomerNo, customer.SurplusKey(sp.ID)); err != nil {
				return err
			}
		}
		for _, q := range eraseDeletes {
			if _, err := tx.ExecContext(ctx, db.Q(q), e.LedgerNo, e.CustomerNo); err != nil {
				return err
			}
		}
		if err := db.forgetDrawnUUIDs(ctx, tx, was, nil); err != nil {
			return err
		}
		if err := db.forgetReplies(ctx, tx, was); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO erased_customers (ledger_no, customer_no, legal_entity, created_at, erased_at, reason)
			VALUES (?, ?, ?, ?, ?, ?)`), e.LedgerNo, e.CustomerNo, e.LegalEntity, micros(e.CreatedAt), micros(e.ErasedAt), e.Reason); err != nil {
			return err
		}
		return db.journal(ctx, tx, e.LedgerNo, e.CustomerNo, customer.EventCustomerErased, e.ErasedAt, customer.ErasedCustomer(e), nil)
	})
	if err != nil {
		return nil, err
	}
	if db.scrub != nil {
		// The erasure is committed; what is left is that the engine's files
		// forget the former pages. A failure leaves that to the engine's
		// own housekeeping, and is not the caller's error.
		_ = db.scrub(context.WithoutCancel(ctx))
	}
	return was, nil
}

// forgetReplies deletes the stored replies (idempotency_keys.answer) of
// the ledger that show the customer: those of lookups and of writes of
// its sub-resources are not tied to it by written_customer_no, so each
// reply of the ledger is opened and looked through for any of the
// customer's identifiers, in every written form the APIs answer with. A
// reply deleted wrongly only makes its retry run again.
func (db *DB) forgetReplies(ctx context.Context, tx *sql.Tx, c *customer.Customer) error {
	marks := customerMarks(c)
	rows, err := tx.QueryContext(ctx, db.Q(`SELECT credential, idem_key, answer FROM idempotency_keys WHERE ledger_no = ? AND answer IS NOT NULL`), c.LedgerNo)
	if err != nil {
		return err
	}
	type pk struct{ credential, key string }
	var doomed []pk
	for rows.Next() {
		var k customer.IdempotencyKey
		var answer []byte
		if err := rows.Scan(&k.Credential, &k.Key, &answer); err != nil {
			rows.Close()
			return err
		}
		k.LedgerNo = c.LedgerNo
		plain, err := db.open(answer, answerAD(&k))
		if err != nil {
			rows.Close()
			return err
		}
		// A reply is kept as JSON with its body in base64 (edge.Reply).
		var reply struct {
			Header map[string]string `json:"header"`
			Body   []byte            `json:"body"`
		}
		if json.Unmarshal(plain, &reply) == nil {
			for _, v := range reply.Header {
				plain = append(plain, v...)
			}
			plain = append(plain, reply.Body...)
		}
		for _, m := range marks {
			if bytes.Contains(plain, m) {
				doomed = append(doomed, pk{k.Credential, k.Key})
				break
			}
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, d := range doomed {
		if _, err := tx.ExecContext(ctx, db.Q(`DELETE FROM idempotency_keys WHERE ledger_no = ? AND credential = ? AND idem_key = ?`),
			c.LedgerNo, d.credential, d.key); err != nil {
			return err
		}
	}
	return nil
}

// customerMarks are byte strings that a reply about c holds: its number as
// each API names it, its uuid, and its identity number, e-mail address and
// phone number in the forms the APIs write them.
func customerMarks(c *customer.Customer) [][]byte {
	var marks []string
	for _, name := range []string{"customerNo", "customerNumber", "customer_number"} {
		marks = append(marks, `"`+name+`":"`+c.No+`"`)
	}
	marks = append(marks, "/customers/"+c.No+`"`, "/customers/"+c.No+"/", c.UUID)
	if c.Email != "" {
		marks = append(marks, c.Email)
	}
	if c.MSISDN != "" {
		marks = append(marks, c.MSISDN, strings.TrimPrefix(c.MSISDN, "+"))
	}
	if id := c.NationalID; id != nil {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, id.RegNo)
		marks = append(marks, id.RegNo, digits)
		if len(digits) == 12 { // a Swedish number without its century, as the dialects write it
			marks = append(marks, digits[2:], digits[2:8]+"-"+digits[8:])
		}
	}
	out := make([][]byte, len(marks))
	for i, m := range marks {
		out[i] = []byte(m)
	}
	return out
}

// redactEvents rewrites the customer's earlier events without their
// personal data.
func (db *DB) redactEvents(ctx context.Context, tx *sql.Tx, e *customer.Erasure, redact func(*customer.Event) error) error {
	rows, err := tx.QueryContext(ctx, db.Q(`SELECT `+eventColumns+`
		FROM events WHERE ledger_no = ? AND customer_no = ? ORDER BY sequence`), e.LedgerNo, e.CustomerNo)
	if err != nil {
		return err
	}
	evs, err := db.scanEvents(rows, e.LedgerNo)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if err := redact(ev); err != nil {
			return err
		}
		object, previous, err := db.sealEvent(ev)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q(`UPDATE events SET object = ?, previous = ? WHERE ledger_no = ? AND sequence = ?`),
			object, previous, e.LedgerNo, ev.Sequence); err != nil {
			return err
		}
	}
	return nil
}

// Erased returns the erasure of a customer.
func (db *DB) Erased(ctx context.Context, ledgerNo, customerNo string) (*customer.Erasure, error) {
	e := &customer.Erasure{LedgerNo: ledgerNo, CustomerNo: customerNo}
	var created, erased int64
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT legal_entity, created_at, erased_at, reason FROM erased_customers WHERE ledger_no = ? AND customer_no = ?`),
		ledgerNo, customerNo).Scan(&e.LegalEntity, &created, &erased, &e.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "The customer was not erased.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	e.CreatedAt, e.ErasedAt = fromMicros(created), fromMicros(erased)
	return e, nil
}

// AllSurpluses returns every surplus of a customer, depleted too.
func (db *DB) AllSurpluses(ctx context.Context, ledgerNo, customerNo string) ([]*customer.Surplus, error) {
	list, err := db.surpluses(ctx, db.Read, ledgerNo, customerNo, "")
	return list, db.Err(err)
}

// surpluses reads every surplus of a customer; forUpdate is "" or the
// dialect's ForUpdate.
func (db *DB) surpluses(ctx context.Context, q queryer, ledgerNo, customerNo, forUpdate string) ([]*customer.Surplus, error) {
	rows, err := q.QueryContext(ctx, db.Q(`SELECT id, `+surplusColumns+` FROM surpluses WHERE ledger_no = ? AND customer_no = ? ORDER BY date, id`+forUpdate),
		ledgerNo, customerNo)
	if err != nil {
		return nil, err
	}
	return db.scanSurpluses(rows)
}
