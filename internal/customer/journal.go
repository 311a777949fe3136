package customer

import (
	"context"
	"encoding/json"
	"fmt"
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
	EventCustomerErased           = "customer.erased"
)

// EventTypes lists every event type, in the order of DESIGN.md.
var EventTypes = []string{
	EventCustomerCreated, EventCustomerUpdated, EventLegalAddressChanged, EventBillingAddressAdded,
	EventBillingAddressChanged, EventBillingAddressRemoved, EventConsentAdded, EventConsentRemoved,
	EventKYCAnswersUpdated, EventProductsChanged, EventSurplusCreated, EventSurplusChanged,
	EventDisbursementOrderCreated, EventDeceased, EventProtectedIdentityChanged, EventCustomerErased,
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

// EventID names the event of a ledger's journal with sequence seq on the
// wire: "EVT" and ten digits.
func EventID(seq int64) string { return fmt.Sprintf("EVT%010d", seq) }

// Event is one entry of a ledger's journal. Object is the state of what
// changed after the change (EncodeSnapshot), Previous what the change
// changed (EncodeChange; nil for a creation); an API renders them in its
// own format.
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

// A snapshot is how an event keeps the state of what changed: a JSON
// object of the domain type's fields that are not zero (a struct, or a
// pointer to one). The state before a change is kept as the fields that
// the change changed, with their former values; the rest is the state
// after. Half the bytes of an event were its full former state, and the
// bytes of the journal are most of what it costs a write.

// EncodeSnapshot encodes the state v.
func EncodeSnapshot(v any) []byte {
	rv := reflect.Indirect(reflect.ValueOf(v))
	return encodeFields(rv, func(i int) bool { return !rv.Field(i).IsZero() })
}

// EncodeChange encodes the state before of a change to after (both of
// one type): the fields that differ, with their values before.
func EncodeChange(after, before any) []byte {
	a, b := reflect.Indirect(reflect.ValueOf(after)), reflect.Indirect(reflect.ValueOf(before))
	return encodeFields(b, func(i int) bool { return !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) })
}

// encodeFields writes the fields of the struct rv that keep holds as a
// JSON object, in the order of the type.
func encodeFields(rv reflect.Value, keep func(i int) bool) []byte {
	out := make([]byte, 0, 512)
	out = append(out, '{')
	for i := range rv.NumField() {
		if !keep(i) {
			continue
		}
		v, err := json.Marshal(rv.Field(i).Interface())
		if err != nil {
			panic("customer: a snapshot cannot be encoded: " + err.Error()) // only domain types of strings, numbers and times
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, rv.Type().Field(i).Name...)
		out = append(out, '"', ':')
		out = append(out, v...)
	}
	return append(out, '}')
}

// DecodeSnapshot decodes a state EncodeSnapshot encoded into v, a pointer
// to a zero value of its type.
func DecodeSnapshot(object []byte, v any) error { return json.Unmarshal(object, v) }

// DecodeChange decodes the state before a change into v, a pointer to a
// zero value of its type: the state after, with the fields the change
// changed set to their values before.
func DecodeChange(object, previous []byte, v any) error {
	if err := json.Unmarshal(object, v); err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(previous, &fields); err != nil {
		return err
	}
	rv := reflect.ValueOf(v).Elem()
	for name, raw := range fields {
		f := rv.FieldByName(name)
		if !f.IsValid() {
			return fmt.Errorf("customer: the snapshot of a %s has no field %s", rv.Type().Name(), name)
		}
		f.SetZero() // a map would otherwise keep the keys of the state after
		if err := json.Unmarshal(raw, f.Addr().Interface()); err != nil {
			return err
		}
	}
	return nil
}

// CustomerEvents are the event types of a change of a customer from old
// (nil: created) to cur. A change that changes nothing a client sees has
// none.
func CustomerEvents(old, cur *Customer) []string {
	if old == nil {
		return []string{EventCustomerCreated}
	}
	var types []string
	// A confirmation by the register alone (LegalConfirmedAt) is no
	// event: a refresh of a ledger would journal every customer.
	if !reflect.DeepEqual(old.LegalAddress, cur.LegalAddress) || old.LegalSource != cur.LegalSource {
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
		c.LegalSource, c.LegalConfirmedAt = "", time.Time{}
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

// checkPage checks the skip and take of a page of at most MaxEventPage.
func checkPage(skip, take int) error {
	var p Problems
	if skip < 0 {
		p.Add("skip", "must be 0 or more")
	}
	if take < 1 || take > MaxEventPage {
		p.Addf("take", "must be between 1 and %d", MaxEventPage)
	}
	return p.Err()
}

// History returns a customer's events newest first, skipping skip: who
// changed what, when, and through which API.
func (s *Service) History(ctx context.Context, ledgerNo, customerNo string, skip, take int) (evs []*Event, more bool, err error) {
	if err := checkPage(skip, take); err != nil {
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
