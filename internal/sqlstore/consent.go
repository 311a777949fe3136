package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/kund/kund/internal/customer"
)

const cardRegistrationColumns = `id, ledger_no, customer_no, status, redirect_url, complete_url, cancel_url, language, created_at, updated_at`

func scanCardRegistration(row scanner) (*customer.CardRegistration, error) {
	var (
		r                customer.CardRegistration
		created, updated int64
	)
	if err := row.Scan(&r.ID, &r.LedgerNo, &r.CustomerNo, &r.Status, &r.RedirectURL, &r.CompleteURL, &r.CancelURL, &r.Language,
		&created, &updated); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &r, nil
}

var errRegistrationActive = errors.New("an initialized registration exists")

// CreateCardRegistration stores a new registration; the partial unique
// index keeps one Initialized registration per customer.
func (db *DB) CreateCardRegistration(ctx context.Context, r *customer.CardRegistration) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockCustomer(ctx, tx, r.LedgerNo, r.CustomerNo); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.Q(`INSERT INTO card_registrations (`+cardRegistrationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.ID, r.LedgerNo, r.CustomerNo, r.Status, r.RedirectURL, r.CompleteURL, r.CancelURL, r.Language, micros(r.CreatedAt), micros(r.UpdatedAt))
		if db.d.IsUnique(err) {
			return errRegistrationActive
		}
		return err
	})
	if errors.Is(err, errRegistrationActive) {
		return customer.Errorf(customer.ECONFLICT, "A recurring-card registration of this customer is already in progress.")
	}
	return err
}

// LatestCardRegistration returns the customer's newest registration.
func (db *DB) LatestCardRegistration(ctx context.Context, ledgerNo, customerNo string) (*customer.CardRegistration, error) {
	r, err := scanCardRegistration(db.Read.QueryRowContext(ctx, db.Q(`SELECT `+cardRegistrationColumns+` FROM card_registrations
		WHERE ledger_no = ? AND customer_no = ? ORDER BY seq DESC LIMIT 1`), ledgerNo, customerNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "The customer has no recurring-card registration.")
	}
	return r, db.Err(err)
}

// CardRegistration returns a registration by id.
func (db *DB) CardRegistration(ctx context.Context, id string) (*customer.CardRegistration, error) {
	r, err := scanCardRegistration(db.Read.QueryRowContext(ctx, db.Q(`SELECT `+cardRegistrationColumns+` FROM card_registrations WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "There is no such registration.")
	}
	return r, db.Err(err)
}

// FinishCardRegistration records a registration's outcome.
func (db *DB) FinishCardRegistration(ctx context.Context, id, status string, consent *customer.CardConsent, now time.Time) (*customer.CardRegistration, error) {
	var out *customer.CardRegistration
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := scanCardRegistration(tx.QueryRowContext(ctx, db.Q(`SELECT `+cardRegistrationColumns+` FROM card_registrations WHERE id = ?`+db.d.ForUpdate), id))
		if errors.Is(err, sql.ErrNoRows) {
			return customer.Errorf(customer.ENOTFOUND, "There is no such registration.")
		} else if err != nil {
			return err
		}
		if r.Status != customer.CardInitialized {
			return customer.Errorf(customer.ECONFLICT, "The registration has already ended (%s).", r.Status)
		}
		r.Status, r.UpdatedAt = status, now
		if _, err := tx.ExecContext(ctx, db.Q(`UPDATE card_registrations SET status = ?, updated_at = ? WHERE id = ?`), status, micros(now), id); err != nil {
			return err
		}
		if consent != nil {
			consent.LedgerNo, consent.CustomerNo = r.LedgerNo, r.CustomerNo
			if _, err := tx.ExecContext(ctx, db.Q(`DELETE FROM card_consents WHERE ledger_no = ? AND customer_no = ?`), r.LedgerNo, r.CustomerNo); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO card_consents (ledger_no, customer_no, card_token, masked_number, card_expiry, consent_expiry, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`), r.LedgerNo, r.CustomerNo, consent.CardToken, consent.MaskedNumber, consent.CardExpiry,
				consent.ConsentExpiry, micros(consent.CreatedAt)); err != nil {
				return err
			}
			if err := db.setConsent(ctx, tx, r.LedgerNo, r.CustomerNo, customer.ConsentRecurringCard, true, now); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	return out, err
}

// setConsent adds or removes a name in the customer's active consents,
// as a change of the customer (its version grows, the change is
// journaled); nothing when it already is so.
func (db *DB) setConsent(ctx context.Context, tx *sql.Tx, ledgerNo, customerNo, name string, on bool, now time.Time) error {
	_, err := db.updateInTx(ctx, tx, ledgerNo, customerNo, func(c *customer.Customer) error {
		i := slices.Index(c.ActiveConsents, name)
		switch {
		case on && i < 0:
			c.ActiveConsents = append(c.ActiveConsents, name)
		case !on && i >= 0:
			c.ActiveConsents = slices.Delete(c.ActiveConsents, i, i+1)
		default:
			return errUnchanged
		}
		c.UpdatedAt = now
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// errUnchanged leaves a customer as it is.
var errUnchanged = errors.New("unchanged")

// CardConsent returns the customer's card consent.
func (db *DB) CardConsent(ctx context.Context, ledgerNo, customerNo string) (*customer.CardConsent, error) {
	c := &customer.CardConsent{LedgerNo: ledgerNo, CustomerNo: customerNo}
	var created int64
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT card_token, masked_number, card_expiry, consent_expiry, created_at FROM card_consents
		WHERE ledger_no = ? AND customer_no = ?`), ledgerNo, customerNo).Scan(&c.CardToken, &c.MaskedNumber, &c.CardExpiry, &c.ConsentExpiry, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "The customer has no recurring-card consent.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	c.CreatedAt = fromMicros(created)
	return c, nil
}

// DeleteCardConsent removes the card consent and RecurringCard.
func (db *DB) DeleteCardConsent(ctx context.Context, ledgerNo, customerNo string, now time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.Q(`DELETE FROM card_consents WHERE ledger_no = ? AND customer_no = ?`), ledgerNo, customerNo)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return customer.Errorf(customer.ENOTFOUND, "The customer has no recurring-card consent.")
		}
		return db.setConsent(ctx, tx, ledgerNo, customerNo, customer.ConsentRecurringCard, false, now)
	})
}
