package customer

import (
	"context"
	"time"
)

// Store keeps ledgers and customers. Every method is one transaction: it
// either happens completely or not at all. Implementations map their
// driver's errors to *Error codes by error code, never by message text.
type Store interface {
	// CreateLedger stores a new ledger; ECONFLICT when the number is taken.
	CreateLedger(ctx context.Context, l *Ledger) error
	// Ledger returns a ledger; ENOTFOUND when there is none.
	Ledger(ctx context.Context, no string) (*Ledger, error)

	// CreateCustomer stores a new customer with Version 1. When c.No is empty
	// the store allocates the ledger's next generated number
	// (GeneratedCustomerNo of the ledger's sequence, skipping numbers in use)
	// in the same transaction and sets c.No. It gives the customer its uuid
	// and its addresses theirs (whatever c carried). A number in use is
	// ECUSTOMEREXISTS. A key, when not nil,
	// is completed in the same transaction (Done, Written); a key whose
	// lease was taken over rolls the create back (ErrIdempotencyLost).
	CreateCustomer(ctx context.Context, c *Customer, key *IdempotencyKey) error
	// Customer returns one customer with its addresses; ECUSTOMERNOTFOUND
	// when the ledger has no such customer.
	Customer(ctx context.Context, ledgerNo, no string) (*Customer, error)
	// CustomerByUUID is Customer by the customer's uuid.
	CustomerByUUID(ctx context.Context, ledgerNo, uuid string) (*Customer, error)
	// UpdateCustomer reads the customer, lets fn change it, and writes it
	// back with Version+1, all in one transaction. An error from fn aborts
	// the update and is returned as is. An address with a uuid the customer
	// did not have (a new address: the empty uuid) gets a new one from the
	// store. A key is completed as by CreateCustomer.
	UpdateCustomer(ctx context.Context, ledgerNo, no string, fn func(*Customer) error, key *IdempotencyKey) (*Customer, error)
	// FindCustomers returns up to limit customers of the ledger carrying id.
	FindCustomers(ctx context.Context, ledgerNo string, id NationalID, limit int) ([]*Customer, error)
	// ListCustomers returns the ledger's customers newest first, filtered.
	ListCustomers(ctx context.Context, ledgerNo string, f ListFilter) ([]*Customer, error)

	// UpdateLedger reads a ledger, lets fn change its options, and writes
	// them back in one transaction; ENOTFOUND when there is none.
	UpdateLedger(ctx context.Context, no string, fn func(*Ledger) error) (*Ledger, error)
	// CreateSurplus stores a surplus of an existing customer;
	// ECUSTOMERNOTFOUND when there is no such customer, ECONFLICT when the
	// customer has a surplus with the same id in any letter case.
	CreateSurplus(ctx context.Context, s *Surplus) error
	// Surplus returns a surplus by id in any letter case, depleted or
	// not; ENOTFOUND when there is none.
	Surplus(ctx context.Context, ledgerNo, customerNo, id string) (*Surplus, error)
	// AllSurpluses returns every surplus of a customer, depleted too,
	// oldest date first.
	AllSurpluses(ctx context.Context, ledgerNo, customerNo string) ([]*Surplus, error)
	// ListSurpluses returns up to limit of a customer's surpluses that are
	// not depleted, oldest date first, after skipping skip.
	ListSurpluses(ctx context.Context, ledgerNo, customerNo string, skip, limit int) ([]*Surplus, error)
	// UpdateSurplus reads a surplus, lets fn change it and writes it back
	// in one transaction. An error from fn aborts and is returned as is.
	UpdateSurplus(ctx context.Context, ledgerNo, customerNo, id string, fn func(*Surplus) error) (*Surplus, error)
	// AddKYCAnswers stores a customer's new KYC answers, keeping earlier
	// ones; ECUSTOMERNOTFOUND when there is no such customer.
	AddKYCAnswers(ctx context.Context, a *KYCAnswers) error
	// KYCAnswers returns up to limit of a customer's KYC answers, newest
	// first.
	KYCAnswers(ctx context.Context, ledgerNo, customerNo string, limit int) ([]*KYCAnswers, error)

	// CreateCardRegistration stores a new Initialized registration;
	// ECUSTOMERNOTFOUND without the customer, ECONFLICT when the customer
	// has an Initialized one.
	CreateCardRegistration(ctx context.Context, r *CardRegistration) error
	// LatestCardRegistration is the customer's newest registration;
	// ENOTFOUND when there is none.
	LatestCardRegistration(ctx context.Context, ledgerNo, customerNo string) (*CardRegistration, error)
	// CardRegistration returns a registration by id; ENOTFOUND.
	CardRegistration(ctx context.Context, id string) (*CardRegistration, error)
	// FinishCardRegistration moves an Initialized registration to status
	// in one transaction; with a consent it also replaces the customer's
	// card consent and adds RecurringCard to its active consents.
	// ENOTFOUND, or ECONFLICT when the registration is no longer
	// Initialized.
	FinishCardRegistration(ctx context.Context, id, status string, consent *CardConsent, now time.Time) (*CardRegistration, error)
	// CardConsent returns the customer's card consent; ENOTFOUND.
	CardConsent(ctx context.Context, ledgerNo, customerNo string) (*CardConsent, error)
	// DeleteCardConsent removes it and RecurringCard from the active
	// consents; ENOTFOUND when there is none.
	DeleteCardConsent(ctx context.Context, ledgerNo, customerNo string, now time.Time) error
	// Idempotency keys; CreateCustomer and UpdateCustomer also complete
	// the key they are given in their transaction.
	IdempotencyStore
	// The change journal, which the writes above append to.
	EventStore
	WebhookStore
	ErasureStore
}

// ListFilter selects customers of a ledger. Empty fields do not filter.
type ListFilter struct {
	NamePrefix string // compared with NameKey of the customer's name
	Email      string
	MSISDN     string
	RegNo      string
	ZipCode    string // of the legal address
	Skip       int
	Limit      int
}
