package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/kund/kund/internal/customer"
)

// kycColumn is the stored form of a ledger's KYC questions: NULL for none.
func kycColumn(qs []customer.KYCQuestion) (sql.NullString, error) {
	if len(qs) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(qs)
	return sql.NullString{String: string(b), Valid: true}, err
}

// ledger reads a ledger with its options; forUpdate locks the row where the
// engine has row locks.
func (db *DB) ledger(ctx context.Context, q queryer, no, forUpdate string) (*customer.Ledger, error) {
	l := &customer.Ledger{No: no}
	var (
		created int64
		kyc     sql.NullString
		renewal int64
		lookups int64
		ttl     int64
		events  int64
	)
	err := q.QueryRowContext(ctx, db.Q(`SELECT country, customer_numbers, created_at, disbursements, kyc_questions, kyc_renewal_days,
		session_lookups, session_ttl_seconds, event_retention_days, register_monitoring FROM ledgers WHERE no = ?`+forUpdate), no).
		Scan(&l.Country, &l.CustomerNumbers, &created, &l.Disbursements, &kyc, &renewal, &lookups, &ttl, &events, &l.RegisterMonitoring)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such ledger.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	if kyc.Valid {
		if err := json.Unmarshal([]byte(kyc.String), &l.KYCQuestions); err != nil {
			return nil, err
		}
	}
	l.CreatedAt = fromMicros(created)
	l.KYCRenewalDays = int(renewal)
	l.SessionLookups, l.SessionTTL = int(lookups), time.Duration(ttl)*time.Second
	l.EventRetentionDays = int(events)
	return l, nil
}

// UpdateLedger changes a ledger's options in one transaction.
func (db *DB) UpdateLedger(ctx context.Context, no string, fn func(*customer.Ledger) error) (*customer.Ledger, error) {
	var out *customer.Ledger
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		l, err := db.ledger(ctx, tx, no, db.d.ForUpdate)
		if err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
		kyc, err := kycColumn(l.KYCQuestions)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q(`UPDATE ledgers SET disbursements = ?, kyc_questions = ?, kyc_renewal_days = ?,
			session_lookups = ?, session_ttl_seconds = ?, event_retention_days = ?, register_monitoring = ? WHERE no = ?`),
			l.Disbursements, kyc, l.KYCRenewalDays, l.SessionLookups, int64(l.SessionTTL/time.Second), l.EventRetentionDays, l.RegisterMonitoring, no); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}

const surplusColumns = `ledger_no, customer_no, surplus_id, balance_minor, currency, date, status, invoice, account, active_order, created_at, updated_at`

// orderAD binds a surplus's sealed disbursement order (bank accounts,
// and the identity number of a SUS payee) to the surplus.
func orderAD(ledgerNo, customerNo, surplusID string) string {
	return "surpluses.active_order\x00" + ledgerNo + "\x00" + customerNo + "\x00" + customer.SurplusKey(surplusID)
}

func (db *DB) scanSurplus(row scanner) (int64, *customer.Surplus, error) {
	var (
		id               int64
		s                customer.Surplus
		order            sql.NullString
		created, updated int64
	)
	err := row.Scan(&id, &s.LedgerNo, &s.CustomerNo, &s.ID, &s.Balance.Minor, &s.Balance.Currency, &s.Date, &s.Status,
		&s.Invoice, &s.Account, &order, &created, &updated)
	if err != nil {
		return 0, nil, err
	}
	if order.Valid {
		plain, err := db.openText(order.String, orderAD(s.LedgerNo, s.CustomerNo, s.ID))
		if err != nil {
			return 0, nil, err
		}
		s.ActiveOrder = &customer.DisbursementOrder{}
		if err := json.Unmarshal(plain, s.ActiveOrder); err != nil {
			return 0, nil, err
		}
	}
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return id, &s, nil
}

func (db *DB) orderColumn(s *customer.Surplus, o *customer.DisbursementOrder) (sql.NullString, error) {
	if o == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return sql.NullString{}, err
	}
	text, err := db.sealText(b, orderAD(s.LedgerNo, s.CustomerNo, s.ID))
	return sql.NullString{String: text, Valid: true}, err
}

// errSurplusTaken aborts a create whose insert hit the unique constraint,
// so the transaction is rolled back before the error is reported.
var errSurplusTaken = errors.New("surplus id in use")

// CreateSurplus stores a new surplus of an existing customer.
func (db *DB) CreateSurplus(ctx context.Context, s *customer.Surplus) error {
	order, err := db.orderColumn(s, s.ActiveOrder)
	if err != nil {
		return err
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockCustomer(ctx, tx, s.LedgerNo, s.CustomerNo); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.Q(`INSERT INTO surpluses (surplus_key, `+surplusColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			customer.SurplusKey(s.ID), s.LedgerNo, s.CustomerNo, s.ID, s.Balance.Minor, s.Balance.Currency, s.Date, s.Status,
			s.Invoice, s.Account, order, micros(s.CreatedAt), micros(s.UpdatedAt))
		if db.d.IsUnique(err) {
			return errSurplusTaken
		} else if err != nil {
			return err
		}
		return db.journal(ctx, tx, s.LedgerNo, s.CustomerNo, customer.EventSurplusCreated, s.CreatedAt, s, nil)
	})
	if errors.Is(err, errSurplusTaken) {
		return customer.Errorf(customer.ECONFLICT, "The customer already has a surplus with this surplusId.")
	}
	return err
}

// Surplus returns one surplus by id in any letter case.
func (db *DB) Surplus(ctx context.Context, ledgerNo, customerNo, id string) (*customer.Surplus, error) {
	_, s, err := db.scanSurplus(db.Read.QueryRowContext(ctx, db.Q(`SELECT id, `+surplusColumns+` FROM surpluses WHERE ledger_no = ? AND customer_no = ? AND surplus_key = ?`),
		ledgerNo, customerNo, customer.SurplusKey(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "The surplus does not exist.")
	}
	return s, db.Err(err)
}

// ListSurpluses returns a page of a customer's surpluses that are not
// depleted, oldest first.
func (db *DB) ListSurpluses(ctx context.Context, ledgerNo, customerNo string, skip, limit int) ([]*customer.Surplus, error) {
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT id, `+surplusColumns+` FROM surpluses
		WHERE ledger_no = ? AND customer_no = ? AND status <> ? ORDER BY date, id LIMIT ? OFFSET ?`),
		ledgerNo, customerNo, customer.SurplusDepleted, limit, skip)
	if err != nil {
		return nil, db.Err(err)
	}
	list, err := db.scanSurpluses(rows)
	return list, db.Err(err)
}

// scanSurpluses reads and closes rows of surpluses.
func (db *DB) scanSurpluses(rows *sql.Rows) ([]*customer.Surplus, error) {
	defer rows.Close()
	list := []*customer.Surplus{}
	for rows.Next() {
		_, s, err := db.scanSurplus(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, rows.Err()
}

// UpdateSurplus reads, changes and writes one surplus in one transaction.
func (db *DB) UpdateSurplus(ctx context.Context, ledgerNo, customerNo, id string, fn func(*customer.Surplus) error) (*customer.Surplus, error) {
	var out *customer.Surplus
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		// The customer first, as an erasure takes it: a change of a surplus
		// never comes after the customer's erasure.
		if err := db.lockCustomer(ctx, tx, ledgerNo, customerNo); err != nil {
			return err
		}
		row, s, err := db.scanSurplus(tx.QueryRowContext(ctx, db.Q(`SELECT id, `+surplusColumns+` FROM surpluses WHERE ledger_no = ? AND customer_no = ? AND surplus_key = ?`+db.d.ForUpdate),
			ledgerNo, customerNo, customer.SurplusKey(id)))
		if errors.Is(err, sql.ErrNoRows) {
			return customer.Errorf(customer.ENOTFOUND, "The surplus does not exist.")
		} else if err != nil {
			return err
		}
		old := *s
		if err := fn(s); err != nil {
			return err
		}
		order, err := db.orderColumn(s, s.ActiveOrder)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q(`UPDATE surpluses SET balance_minor = ?, status = ?, active_order = ?, updated_at = ? WHERE id = ?`),
			s.Balance.Minor, s.Status, order, micros(s.UpdatedAt), row); err != nil {
			return err
		}
		out = s
		typ := customer.EventSurplusChanged
		if old.ActiveOrder == nil && s.ActiveOrder != nil {
			typ = customer.EventDisbursementOrderCreated
		}
		return db.journal(ctx, tx, ledgerNo, customerNo, typ, s.UpdatedAt, s, &old)
	})
	return out, err
}

// kycAD binds a customer's sealed KYC answers to the customer.
func kycAD(ledgerNo, customerNo string) string {
	return "kyc_answers.answers\x00" + ledgerNo + "\x00" + customerNo
}

// AddKYCAnswers stores a customer's new answers beside the earlier ones.
func (db *DB) AddKYCAnswers(ctx context.Context, a *customer.KYCAnswers) error {
	b, err := json.Marshal(a.Answers)
	if err != nil {
		return err
	}
	sealed, err := db.sealText(b, kycAD(a.LedgerNo, a.CustomerNo))
	if err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockCustomer(ctx, tx, a.LedgerNo, a.CustomerNo); err != nil {
			return err
		}
		var before *customer.KYCAnswers
		var raw string
		var at int64
		err = tx.QueryRowContext(ctx, db.Q(`SELECT answers, answered_at FROM kyc_answers WHERE ledger_no = ? AND customer_no = ?
			ORDER BY answered_at DESC, id DESC LIMIT 1`), a.LedgerNo, a.CustomerNo).Scan(&raw, &at)
		switch {
		case err == nil:
			before = &customer.KYCAnswers{LedgerNo: a.LedgerNo, CustomerNo: a.CustomerNo, AnsweredAt: fromMicros(at)}
			plain, err := db.openText(raw, kycAD(a.LedgerNo, a.CustomerNo))
			if err != nil {
				return err
			}
			if err := json.Unmarshal(plain, &before.Answers); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err = tx.ExecContext(ctx, db.Q(`INSERT INTO kyc_answers (ledger_no, customer_no, answers, answered_at) VALUES (?, ?, ?, ?)`),
			a.LedgerNo, a.CustomerNo, sealed, micros(a.AnsweredAt)); err != nil {
			return err
		}
		if before == nil {
			return db.journal(ctx, tx, a.LedgerNo, a.CustomerNo, customer.EventKYCAnswersUpdated, a.AnsweredAt, a, nil)
		}
		return db.journal(ctx, tx, a.LedgerNo, a.CustomerNo, customer.EventKYCAnswersUpdated, a.AnsweredAt, a, before)
	})
}

// KYCAnswers returns a customer's answers, newest first.
func (db *DB) KYCAnswers(ctx context.Context, ledgerNo, customerNo string, limit int) ([]*customer.KYCAnswers, error) {
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT answers, answered_at FROM kyc_answers
		WHERE ledger_no = ? AND customer_no = ? ORDER BY answered_at DESC, id DESC LIMIT ?`), ledgerNo, customerNo, limit)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	var list []*customer.KYCAnswers
	for rows.Next() {
		var (
			raw string
			at  int64
		)
		if err := rows.Scan(&raw, &at); err != nil {
			return nil, db.Err(err)
		}
		a := &customer.KYCAnswers{LedgerNo: ledgerNo, CustomerNo: customerNo, AnsweredAt: fromMicros(at)}
		plain, err := db.openText(raw, kycAD(ledgerNo, customerNo))
		if err != nil {
			return nil, db.Err(err)
		}
		if err := json.Unmarshal(plain, &a.Answers); err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, db.Err(rows.Err())
}
