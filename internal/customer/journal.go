package customer

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"time"
)

// The change journal: every write that changes a ledger's data appends
// its events to the ledger's journal in the same transaction as the
// change, so that nothing changes without its event and no event is
// written without its change. A ledger's events are numbered by a sequence
// without gaps.

// Event types (DESIGN.md).
const (
	EventCustomerCreated          = "customer.created"
	EventCustomerUpdated          = "customer.updated"
	EventLegalAddressChanged      = "customer.legal-address.changed"
	EventBillingAddressAdded      = "customer.billing-address.added"
	EventBillingAddressChanged    = "customer.billing-address.changed"
	EventBillingAddressRemoved    = "customer.billing-address.removed"
	EventConsentAdded             = "customer.consent.added"
	EventConsentRemoved           = "customer.consent.removed"
	EventKYCAnswersUpdated        = "customer.kyc-answers.updated"
	EventProductsChanged          = "customer.products.changed"
	EventSurplusCreated           = "customer.surplus.created"
	EventSurplusChanged           = "customer.surplus.changed"
	EventDisbursementOrderCreated = "customer.disbursement-order.created"
	EventDeceased                 = "customer.deceased"
	EventProtectedIdentityChanged = "customer.protected-identity.changed"
)

// EventTypes lists every event type, in the order of DESIGN.md.
var EventTypes = []string{
	EventCustomerCreated, EventCustomerUpdated, EventLegalAddressChanged, EventBillingAddressAdded,
	EventBillingAddressChanged, EventBillingAddressRemoved, EventConsentAdded, EventConsentRemoved,
	EventKYCAnswersUpdated, EventProductsChanged, EventSurplusCreated, EventSurplusChanged,
	EventDisbursementOrderCreated, EventDeceased, EventProtectedIdentityChanged,
}

// Actor types: who made a change, through which API.
const (
	ActorToken        = "token"        // the native API
	ActorWorldline    = "worldline"    // Worldline's server or client API
	ActorRiverty      = "riverty"      // Riverty's lookup and create
	ActorPayway       = "payway"       // Tulo Payway
	ActorFrontpayment = "frontpayment" // Frontpayment
	ActorRegister     = "register"     // register monitoring
	ActorOperator     = "operator"     // the console
	ActorSystem       = "system"       // Kund itself (kund import)
)

// Actor is who made a change: the type of actor and its id (a token id,
// a Worldline key's id, an operator's name), never part of a secret.
type Actor struct {
	Type string
	ID   string
}

// Event is one entry of a ledger's journal. Object is the state of what
// changed after the change, Previous before it (nil for a creation), each
// as EncodeSnapshot wrote it; an API renders them in its own format.
type Event struct {
	LedgerNo   string
	Sequence   int64
	Type       string
	OccurredAt time.Time
	CustomerNo string
	Actor      Actor
	RequestID  string
	Object     []byte
	Previous   []byte
}

// EventQuery selects a page of a ledger's journal.
type EventQuery struct {
	After      int64    // sequence; the page starts after it
	Types      []string // none: every type
	CustomerNo string   // "": every customer
	Limit      int
	Newest     bool // newest first (the audit trail), skipping Skip
	Skip       int
}

// MaxEventPage is the largest page of the journal.
const MaxEventPage = 500

// DefaultEventRetention is how long a ledger's events are kept unless the
// ledger says otherwise.
const DefaultEventRetention = 90 * 24 * time.Hour

// EventRetention is how long l's events are kept.
func (l *Ledger) EventRetention() time.Duration {
	if l.EventRetentionDays > 0 {
		return time.Duration(l.EventRetentionDays) * 24 * time.Hour
	}
	return DefaultEventRetention
}

// Journal is what a write records besides the change: who made it and the
// request that did.
type Journal struct {
	Actor     Actor
	RequestID string
}

type journalKey struct{}

// WithJournal returns a context whose writes record j: as the user of a
// request, the actor travels with the request to every write it makes.
func WithJournal(ctx context.Context, j Journal) context.Context {
	return context.WithValue(ctx, journalKey{}, j)
}

// JournalOf returns what the writes of ctx record; the system without a
// request when none was set.
func JournalOf(ctx context.Context) Journal {
	if j, ok := ctx.Value(journalKey{}).(Journal); ok {
		return j
	}
	return Journal{Actor: Actor{Type: ActorSystem, ID: "kund"}}
}

// EncodeSnapshot is the form in which an event keeps the state of what
// changed: JSON of the domain's type.
func EncodeSnapshot(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("customer: a snapshot cannot be encoded: " + err.Error()) // only domain types of strings, numbers and times
	}
	return b
}

// CustomerEvents are the event types of a change of a customer from old
// (nil: created) to cur. A change that changes nothing a client sees has
// none.
func CustomerEvents(old, cur *Customer) []string {
	if old == nil {
		return []string{EventCustomerCreated}
	}
	var types []string
	if !reflect.DeepEqual(old.LegalAddress, cur.LegalAddress) {
		types = append(types, EventLegalAddressChanged)
	}
	switch {
	case old.BillingAddress == nil && cur.BillingAddress != nil:
		types = append(types, EventBillingAddressAdded)
	case old.BillingAddress != nil && cur.BillingAddress == nil:
		types = append(types, EventBillingAddressRemoved)
	case old.BillingAddress != nil && *old.BillingAddress != *cur.BillingAddress:
		types = append(types, EventBillingAddressChanged)
	}
	for _, c := range cur.ActiveConsents {
		if !slices.Contains(old.ActiveConsents, c) {
			types = append(types, EventConsentAdded)
			break
		}
	}
	for _, c := range old.ActiveConsents {
		if !slices.Contains(cur.ActiveConsents, c) {
			types = append(types, EventConsentRemoved)
			break
		}
	}
	if cur.LegalStatus == StatusDeceased && old.LegalStatus != StatusDeceased {
		types = append(types, EventDeceased)
	}
	if cur.ProtectedIdentity != old.ProtectedIdentity {
		types = append(types, EventProtectedIdentityChanged)
	}
	// Every other property a client sees; a status other than deceased
	// (back to active) is one of them.
	a, b := *old, *cur
	for _, c := range []*Customer{&a, &b} {
		c.LegalAddress, c.BillingAddress, c.ActiveConsents = Address{}, nil, nil
		c.ProtectedIdentity, c.LegalStatus, c.Version, c.UpdatedAt, c.KYCDue = false, "", 0, time.Time{}, false
	}
	if !reflect.DeepEqual(a, b) || (old.LegalStatus != cur.LegalStatus && cur.LegalStatus != StatusDeceased) {
		types = append(types, EventCustomerUpdated)
	}
	return types
}

// EventStore reads a ledger's journal; the writes of a Store append to it.
type EventStore interface {
	// Events returns up to q.Limit events of the ledger that q selects,
	// by ascending sequence or, with q.Newest, newest first.
	Events(ctx context.Context, ledgerNo string, q EventQuery) ([]*Event, error)
}

// Events returns a page of a ledger's journal: up to take events after
// the sequence after, of the types given (none: all) and of one customer
// when customerNo is not empty. more reports whether the journal has
// events beyond the page.
func (s *Service) Events(ctx context.Context, ledgerNo string, after int64, take int, types []string, customerNo string) (evs []*Event, more bool, err error) {
	var p Problems
	if after < 0 {
		p.Add("after", "must be a sequence, 0 or more")
	}
	if take < 1 || take > MaxEventPage {
		p.Addf("take", "must be between 1 and %d", MaxEventPage)
	}
	for _, t := range types {
		if !slices.Contains(EventTypes, t) {
			p.Addf("type", "must be an event type such as %s; %q is none", EventCustomerUpdated, t)
			break
		}
	}
	if customerNo != "" && CheckCustomerNo(customerNo) != "" {
		p.Add("customerNo", CheckCustomerNo(customerNo))
	}
	if err := p.Err(); err != nil {
		return nil, false, err
	}
	evs, err = s.store.Events(ctx, ledgerNo, EventQuery{After: after, Types: types, CustomerNo: customerNo, Limit: take + 1})
	if err != nil {
		return nil, false, err
	}
	if len(evs) > take {
		return evs[:take], true, nil
	}
	return evs, false, nil
}

// History returns a customer's events newest first, skipping skip: who
// changed what, when, and through which API.
func (s *Service) History(ctx context.Context, ledgerNo, customerNo string, skip, take int) (evs []*Event, more bool, err error) {
	var p Problems
	if skip < 0 {
		p.Add("skip", "must be 0 or more")
	}
	if take < 1 || take > MaxEventPage {
		p.Addf("take", "must be between 1 and %d", MaxEventPage)
	}
	if err := p.Err(); err != nil {
		return nil, false, err
	}
	if CheckCustomerNo(customerNo) != "" {
		return nil, false, errCustomerNotFound()
	}
	if _, err := s.store.Customer(ctx, ledgerNo, customerNo); err != nil {
		return nil, false, err
	}
	evs, err = s.store.Events(ctx, ledgerNo, EventQuery{CustomerNo: customerNo, Newest: true, Skip: skip, Limit: take + 1})
	if err != nil {
		return nil, false, err
	}
	if len(evs) > take {
		return evs[:take], true, nil
	}
	return evs, false, nil
}
