package customer

import (
	"context"
	"errors"
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
	// in the same transaction and sets c.No. A number in use is
	// ECUSTOMEREXISTS; a uuid in use is ErrUUIDTaken.
	CreateCustomer(ctx context.Context, c *Customer) error
	// Customer returns one customer with its addresses; ECUSTOMERNOTFOUND
	// when the ledger has no such customer.
	Customer(ctx context.Context, ledgerNo, no string) (*Customer, error)
	// CustomerByUUID is Customer by the customer's uuid.
	CustomerByUUID(ctx context.Context, ledgerNo, uuid string) (*Customer, error)
	// UpdateCustomer reads the customer, lets fn change it, and writes it
	// back with Version+1, all in one transaction. An error from fn aborts
	// the update and is returned as is. A new address uuid in use is
	// ErrUUIDTaken.
	UpdateCustomer(ctx context.Context, ledgerNo, no string, fn func(*Customer) error) (*Customer, error)
	// FindCustomers returns up to limit customers of the ledger carrying id.
	FindCustomers(ctx context.Context, ledgerNo string, id NationalID, limit int) ([]*Customer, error)
	// ListCustomers returns the ledger's customers newest first, filtered.
	ListCustomers(ctx context.Context, ledgerNo string, f ListFilter) ([]*Customer, error)

	// Idempotency keys; CreateCustomer and UpdateCustomer also complete the
	// Idempotency their ctx carries in their transaction (WithIdempotency).
	IdempotencyStore
}

// ErrUUIDTaken is returned by a Store when a freshly drawn customer or
// address uuid is already in use; the service draws again.
var ErrUUIDTaken = errors.New("uuid already in use")

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
