package customer

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Erasure (GDPR art. 17) and access (art. 15); DESIGN.md, "Privacy", and
// docs/privacy.md for what is removed, what is kept and why.

// MaxErasureReason is the longest reason an erasure takes, in characters.
const MaxErasureReason = 500

// Erasure is what bookkeeping keeps of an erased customer.
type Erasure struct {
	LedgerNo    string
	CustomerNo  string
	LegalEntity string
	CreatedAt   time.Time
	ErasedAt    time.Time
	Reason      string
}

// ErasureStore erases customers; the Store of every engine is one.
type ErasureStore interface {
	// EraseCustomer removes every personal datum of the customer e names
	// in one transaction: ECUSTOMERNOTFOUND without the customer,
	// ECUSTOMERERASED when erased already, EERASEBLOCKED (nothing
	// changed) while one of its surpluses is open or pending
	// disbursement. It fills in e's LegalEntity and CreatedAt, redacts
	// the customer's earlier events with redact, journals
	// customer.erased, and returns the customer as it was.
	EraseCustomer(ctx context.Context, e *Erasure, redact func(*Event) error) (*Customer, error)
	// Erased returns the erasure of a customer; ENOTFOUND when the
	// customer was not erased.
	Erased(ctx context.Context, ledgerNo, customerNo string) (*Erasure, error)
}

// ErasureBlocks reports whether a surplus in status keeps its customer
// from being erased: money the ledger still owes must be paid out first.
func ErasureBlocks(status string) bool {
	return status == SurplusOpen || status == SurplusPendingDisbursement
}

// EraseCustomer erases a customer for reason (required; it must not name
// the person, since it is kept). Afterwards Customer and every
// sub-resource answer ECUSTOMERERASED and no lookup finds the customer.
// Each function of OnErased is then called with the customer as it was,
// so that what Kund keeps outside the database (the register cache)
// forgets them too.
func (s *Service) EraseCustomer(ctx context.Context, ledgerNo, no, reason string) (*Erasure, error) {
	if CheckCustomerNo(no) != "" {
		return nil, errCustomerNotFound()
	}
	reason = strings.TrimSpace(reason)
	var p Problems
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		p.Add("reason", "is required: why the customer is erased (the reason is kept; it must not name the person)")
	case n > MaxErasureReason:
		p.Addf("reason", "must be at most %d characters", MaxErasureReason)
	default:
		if msg := CheckText(reason); msg != "" {
			p.Add("reason", msg)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	e := &Erasure{LedgerNo: ledgerNo, CustomerNo: no, ErasedAt: s.Now(), Reason: reason}
	c, err := s.store.EraseCustomer(ctx, e, RedactEvent)
	if err != nil {
		return nil, err
	}
	for _, f := range s.onErased {
		f(c)
	}
	return e, nil
}

// OnErased adds f to what is called with each customer erased, as it was.
func (s *Service) OnErased(f func(*Customer)) { s.onErased = append(s.onErased, f) }

// ErasedCustomer is the snapshot of a customer.erased event, and the
// state its earlier customer events are redacted to: what bookkeeping
// keeps.
func ErasedCustomer(e *Erasure) *Customer {
	return &Customer{LedgerNo: e.LedgerNo, No: e.CustomerNo, LegalEntity: e.LegalEntity, CreatedAt: e.CreatedAt, UpdatedAt: e.ErasedAt}
}

// RedactEvent removes the personal data from an event of a customer who
// is erased: a state of the customer keeps its number, legal entity and
// times; KYC answers and products keep none of their content; a surplus
// keeps its amounts, dates, ids and references but not the bank accounts
// of its disbursement order. Previous is dropped, except for a surplus,
// whose former amounts and status stay.
func RedactEvent(e *Event) error {
	switch e.Type {
	case EventKYCAnswersUpdated:
		var a KYCAnswers
		if err := DecodeSnapshot(e.Object, &a); err != nil {
			return err
		}
		e.Object, e.Previous = EncodeSnapshot(&KYCAnswers{LedgerNo: a.LedgerNo, CustomerNo: a.CustomerNo, AnsweredAt: a.AnsweredAt}), nil
	case EventProductsChanged:
		var ps ProductList
		if err := DecodeSnapshot(e.Object, &ps); err != nil {
			return err
		}
		e.Object, e.Previous = EncodeSnapshot(&ProductList{LedgerNo: ps.LedgerNo, CustomerNo: ps.CustomerNo}), nil
	case EventSurplusCreated, EventSurplusChanged, EventDisbursementOrderCreated:
		var after, before Surplus
		if err := DecodeSnapshot(e.Object, &after); err != nil {
			return err
		}
		if e.Previous != nil {
			if err := DecodeChange(e.Object, e.Previous, &before); err != nil {
				return err
			}
		}
		after.ActiveOrder = after.ActiveOrder.Redacted()
		e.Object = EncodeSnapshot(&after)
		if e.Previous != nil {
			before.ActiveOrder = before.ActiveOrder.Redacted()
			e.Previous = EncodeChange(&after, &before)
		}
	default:
		var c Customer
		if err := DecodeSnapshot(e.Object, &c); err != nil {
			return err
		}
		e.Object = EncodeSnapshot(&Customer{LedgerNo: c.LedgerNo, No: c.No, LegalEntity: c.LegalEntity, Version: c.Version,
			CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt})
		e.Previous = nil
	}
	return nil
}

// Redacted is the order without the account it pays to: when it was
// made, and to which kind of account. nil stays nil.
func (o *DisbursementOrder) Redacted() *DisbursementOrder {
	if o == nil {
		return nil
	}
	r := &DisbursementOrder{CreatedAt: o.CreatedAt}
	switch {
	case o.Norwegian != nil:
		r.Norwegian = &NorwegianAccount{}
	case o.Swedish != nil:
		r.Swedish = &SwedishAccount{AccountType: o.Swedish.AccountType}
	case o.International != nil:
		r.International = &InternationalAccount{}
	case o.SUS != nil:
		r.SUS = &SUSPayee{}
	}
	return r
}

// Export is everything Kund holds about one customer (GDPR art. 15),
// less the register lookups, which the register operations add.
type Export struct {
	Customer         *Customer
	KYCAnswers       []*KYCAnswers // newest first
	CardConsent      *CardConsent  // nil: none
	CardRegistration *CardRegistration
	Surpluses        []*Surplus // every one, depleted too
	Products         []Product
	History          []*Event // newest first
}

// MaxExportEvents bounds the history an export holds; a ledger's journal
// keeps events for its retention period only, so this is rarely reached.
const MaxExportEvents = 100000

// ExportCustomer gathers everything Kund holds about a customer.
func (s *Service) ExportCustomer(ctx context.Context, ledgerNo, no string) (*Export, error) {
	c, err := s.Customer(ctx, ledgerNo, no)
	if err != nil {
		return nil, err
	}
	x := &Export{Customer: c}
	if x.KYCAnswers, err = s.store.KYCAnswers(ctx, ledgerNo, no, MaxKYCHistory); err != nil {
		return nil, err
	}
	if x.CardConsent, err = s.store.CardConsent(ctx, ledgerNo, no); err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	if x.CardRegistration, err = s.store.LatestCardRegistration(ctx, ledgerNo, no); err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	if x.Surpluses, err = s.store.AllSurpluses(ctx, ledgerNo, no); err != nil {
		return nil, err
	}
	if ps, err := s.products(); err == nil {
		if x.Products, err = ps.Products(ctx, ledgerNo, no); err != nil {
			return nil, err
		}
	}
	for len(x.History) < MaxExportEvents {
		evs, err := s.store.Events(ctx, ledgerNo, EventQuery{CustomerNo: no, Newest: true, Skip: len(x.History), Limit: MaxEventPage})
		if err != nil {
			return nil, err
		}
		x.History = append(x.History, evs...)
		if len(evs) < MaxEventPage {
			break
		}
	}
	return x, nil
}
