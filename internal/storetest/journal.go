package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/sqlstore"
)

// as is a context whose writes journal the actor and request given.
func as(actorType, actorID, requestID string) context.Context {
	return customer.WithJournal(ctx, customer.Journal{Actor: customer.Actor{Type: actorType, ID: actorID}, RequestID: requestID})
}

// events reads the whole journal of a ledger in ascending order.
func events(t *testing.T, s Store, ledgerNo string, q customer.EventQuery) []*customer.Event {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 100_000
	}
	evs, err := s.Events(ctx, ledgerNo, q)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func types(evs []*customer.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

// gapFree fails unless evs are numbered 1..len(evs).
func gapFree(t *testing.T, evs []*customer.Event) {
	t.Helper()
	for i, e := range evs {
		if e.Sequence != int64(i+1) {
			t.Fatalf("event %d has sequence %d: the journal has a gap or a duplicate", i+1, e.Sequence)
		}
	}
}

// snapshot decodes the state after an event.
func snapshot[T any](t *testing.T, e *customer.Event) T {
	t.Helper()
	var v T
	if err := customer.DecodeSnapshot(e.Object, &v); err != nil {
		t.Fatalf("snapshot %s: %v", e.Object, err)
	}
	return v
}

// former decodes the state before an event.
func former[T any](t *testing.T, e *customer.Event) T {
	t.Helper()
	var v T
	if err := customer.DecodeChange(e.Object, e.Previous, &v); err != nil {
		t.Fatalf("previous %s: %v", e.Previous, err)
	}
	return v
}

// testJournal: every kind of write journals its events, with the actor
// and request of its context, the state after and before, numbered
// without gaps per ledger; a write that changes nothing a client sees has
// none; the reads select by sequence, type and customer, either way.
func testJournal(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	ledger(t, s, "M", customer.NumbersClient)
	rq := as(customer.ActorToken, "tok-1", "req-1")
	c := sample("L", "7")
	if err := s.CreateCustomer(rq, c, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCustomer(as(customer.ActorRiverty, "tok-2", "req-2"), minimal("M", "1"), nil); err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(time.Hour)
	// One PATCH that changes the name, the legal address, a consent and
	// removes the billing address: one event of each kind, in one request.
	if _, err := s.UpdateCustomer(as(customer.ActorToken, "tok-1", "req-3"), "L", "7", func(c *customer.Customer) error {
		c.Name, c.LegalAddress.City, c.BillingAddress, c.UpdatedAt = "Britt-Marie Ek", "GÖTEBORG", nil, t1
		c.ActiveConsents = append(c.ActiveConsents, "EInvoice")
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	// Nothing a client sees changes: no event.
	if _, err := s.UpdateCustomer(rq, "L", "7", func(*customer.Customer) error { return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateCustomer(rq, "L", "7", func(c *customer.Customer) error {
		c.LegalStatus, c.ProtectedIdentity, c.UpdatedAt = customer.StatusDeceased, false, t1
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSurplus(rq, surplus("L", "7", "S-1", "2026-01-01T00:00:00", 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateSurplus(rq, "L", "7", "s-1", func(x *customer.Surplus) error {
		x.Status, x.UpdatedAt = customer.SurplusPendingDisbursement, t1
		x.ActiveOrder = &customer.DisbursementOrder{Norwegian: &customer.NorwegianAccount{AccountNo: "12345678903"}, CreatedAt: t1}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateSurplus(rq, "L", "7", "S-1", func(x *customer.Surplus) error {
		x.Balance, x.UpdatedAt = nordic.Amount{Minor: 400, Currency: "SEK"}, t1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, answer := range []string{"employed", "retired"} {
		if err := s.AddKYCAnswers(rq, &customer.KYCAnswers{LedgerNo: "L", CustomerNo: "7",
			Answers: []customer.KYCAnswer{{QuestionCode: "employment", AnswerCode: answer}}, AnsweredAt: t1}); err != nil {
			t.Fatal(err)
		}
	}
	c2 := compatStore(t, s)
	ps := []customer.Product{{Code: "news", ValidTo: t1.Truncate(time.Second)}}
	for range 2 { // the second PUT changes nothing
		if err := c2.SetProducts(rq, "L", "7", ps, t1); err != nil {
			t.Fatal(err)
		}
	}

	evs := events(t, s, "L", customer.EventQuery{})
	gapFree(t, evs)
	want := []string{customer.EventCustomerCreated,
		customer.EventLegalAddressChanged, customer.EventBillingAddressRemoved, customer.EventConsentAdded, customer.EventCustomerUpdated,
		customer.EventDeceased, customer.EventProtectedIdentityChanged,
		customer.EventSurplusCreated, customer.EventDisbursementOrderCreated, customer.EventSurplusChanged,
		customer.EventKYCAnswersUpdated, customer.EventKYCAnswersUpdated, customer.EventProductsChanged}
	if !slices.Equal(types(evs), want) {
		t.Fatalf("event types:\n got %v\nwant %v", types(evs), want)
	}
	first := evs[0]
	if first.Actor != (customer.Actor{Type: customer.ActorToken, ID: "tok-1"}) || first.RequestID != "req-1" || first.CustomerNo != "7" ||
		first.LedgerNo != "L" || !first.OccurredAt.Equal(t0) || first.Previous != nil {
		t.Fatalf("created event: %+v", first)
	}
	equal(t, ptr(snapshot[customer.Customer](t, first)), c)
	for _, e := range evs[1:5] {
		if e.RequestID != "req-3" || !e.OccurredAt.Equal(t1) {
			t.Fatalf("the PATCH's event %s: request %q at %v", e.Type, e.RequestID, e.OccurredAt)
		}
	}
	after, before := snapshot[customer.Customer](t, evs[1]), former[customer.Customer](t, evs[1])
	if after.Name != "Britt-Marie Ek" || after.BillingAddress != nil {
		t.Fatalf("the PATCH's state after: %+v", after)
	}
	equal(t, &before, c) // the whole former state, from the fields that changed
	if o := snapshot[customer.Surplus](t, evs[8]); o.ActiveOrder == nil || o.ActiveOrder.Norwegian.AccountNo != "12345678903" {
		t.Fatalf("the disbursement order's event: %s", evs[8].Object)
	}
	if p := former[customer.Surplus](t, evs[9]); p.Balance.Minor != 1000 {
		t.Fatalf("the surplus change's previous state: %s", evs[9].Previous)
	}
	if evs[10].Previous != nil || former[customer.KYCAnswers](t, evs[11]).Answers[0].AnswerCode != "employed" {
		t.Fatalf("KYC answers' previous states: %s, %s", evs[10].Previous, evs[11].Previous)
	}
	if p := snapshot[customer.ProductList](t, evs[12]); !customer.SameProducts(p.Products, ps) || p.CustomerNo != "7" {
		t.Fatalf("products event: %s", evs[12].Object)
	}

	// Ledger M numbers its own events.
	m := events(t, s, "M", customer.EventQuery{})
	if len(m) != 1 || m[0].Sequence != 1 || m[0].Actor.Type != customer.ActorRiverty {
		t.Fatalf("ledger M's journal: %+v", m)
	}
	// Reads: after a sequence, by type, by customer, newest first.
	if got := events(t, s, "L", customer.EventQuery{After: 10, Limit: 2}); len(got) != 2 || got[0].Sequence != 11 || got[1].Sequence != 12 {
		t.Fatalf("after 10, 2 events: %v", types(got))
	}
	if got := events(t, s, "L", customer.EventQuery{Types: []string{customer.EventDeceased, customer.EventSurplusChanged}}); !slices.Equal(types(got), []string{customer.EventDeceased, customer.EventSurplusChanged}) {
		t.Fatalf("by type: %v", types(got))
	}
	if got := events(t, s, "L", customer.EventQuery{CustomerNo: "8"}); len(got) != 0 {
		t.Fatalf("another customer's events: %v", types(got))
	}
	got := events(t, s, "L", customer.EventQuery{CustomerNo: "7", Newest: true, Skip: 1, Limit: 2})
	if len(got) != 2 || got[0].Sequence != 12 || got[1].Sequence != 11 {
		t.Fatalf("newest first, skipping 1: %v", got)
	}
}

func ptr[T any](v T) *T { return &v }

// testJournalRefusedWrites: a write that fails or rolls back leaves no
// event and gives its sequences back.
func testJournalRefusedWrites(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	create(t, s, sample("L", "7"))
	create(t, s, minimal("L", "8"))
	boom := errors.New("boom")
	if _, err := s.UpdateCustomer(ctx, "L", "7", func(c *customer.Customer) error { c.Name = "x"; return boom }, nil); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := s.UpdateCustomer(ctx, "L", "7", func(c *customer.Customer) error {
		c.Name, c.BillingAddress = "x", nil
		return nil
	}, lostKey(t, s, "L", "u")); customer.ErrorCode(err) != customer.ECONFLICT {
		t.Fatal(err)
	}
	code(t, s.CreateCustomer(ctx, sample("L", "7"), nil), customer.ECUSTOMEREXISTS)
	code(t, s.CreateSurplus(ctx, surplus("L", "9", "a", "2026-01-01T00:00:00", 1)), customer.ECUSTOMERNOTFOUND)
	if err := s.CreateSurplus(ctx, surplus("L", "7", "a", "2026-01-01T00:00:00", 1)); err != nil {
		t.Fatal(err)
	}
	code(t, s.CreateSurplus(ctx, surplus("L", "7", "A", "2026-01-01T00:00:00", 1)), customer.ECONFLICT)
	if _, err := s.UpdateSurplus(ctx, "L", "7", "a", func(x *customer.Surplus) error { x.Status = customer.SurplusDepleted; return boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	code(t, s.AddKYCAnswers(ctx, &customer.KYCAnswers{LedgerNo: "L", CustomerNo: "9", AnsweredAt: t0}), customer.ECUSTOMERNOTFOUND)
	code(t, compatStore(t, s).SetProducts(ctx, "L", "9", nil, t0), customer.ECUSTOMERNOTFOUND)
	// A key whose lease another request took over rolls the write back.
	svc := customer.NewService(s, func() time.Time { return t0 })
	caller := customer.Caller{LedgerNo: "L", TokenID: "tok"}
	key, _, err := svc.BeginIdempotent(ctx, caller, "k", "f")
	if err != nil {
		t.Fatal(err)
	}
	key.Lease = "someone else's"
	if err := s.CreateCustomer(ctx, minimal("L", "10"), key); customer.ErrorCode(err) != customer.ECONFLICT {
		t.Fatalf("a lost key: %v", err)
	}
	// The next write gets the next sequence: the refused ones took none.
	if _, err := s.UpdateCustomer(ctx, "L", "8", func(c *customer.Customer) error { c.Name = "Kari Ek"; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	evs := events(t, s, "L", customer.EventQuery{})
	gapFree(t, evs)
	if want := []string{customer.EventCustomerCreated, customer.EventCustomerCreated, customer.EventSurplusCreated, customer.EventCustomerUpdated}; !slices.Equal(types(evs), want) {
		t.Fatalf("events: got %v, want %v", types(evs), want)
	}
	if evs[0].Actor != (customer.Actor{Type: customer.ActorSystem, ID: "kund"}) {
		t.Fatalf("a write without a journal in its context is Kund's own: %+v", evs[0].Actor)
	}
}

// testJournalConcurrent: 64 writers on one ledger, creating and updating
// at once, get every sequence exactly once.
func testJournalConcurrent(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersGenerated)
	const writers, each = 64, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := minimal("L", "")
			if err := s.CreateCustomer(as(customer.ActorToken, fmt.Sprint("w", w), ""), c, nil); err != nil {
				errs <- err
				return
			}
			for i := range each {
				if _, err := s.UpdateCustomer(ctx, "L", c.No, func(c *customer.Customer) error {
					c.Name = fmt.Sprint("Kari ", i)
					return nil
				}, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs := events(t, s, "L", customer.EventQuery{})
	if len(evs) != writers*(1+each) {
		t.Fatalf("%d events, want %d", len(evs), writers*(1+each))
	}
	gapFree(t, evs)
	// Each customer's events are in the order of its writes.
	seen := map[string]int{}
	for _, e := range evs {
		n := seen[e.CustomerNo]
		if (n == 0) != (e.Type == customer.EventCustomerCreated) {
			t.Fatalf("customer %s: event %d is %s", e.CustomerNo, n, e.Type)
		}
		if n > 0 && snapshot[customer.Customer](t, e).Name != fmt.Sprint("Kari ", n-1) {
			t.Fatalf("customer %s: event %d out of order: %s", e.CustomerNo, n, e.Object)
		}
		// The former state keeps only what the change changed.
		var fields map[string]any
		if n > 0 && (json.Unmarshal(e.Previous, &fields) != nil || len(fields) != 2 || fields["Name"] == nil || fields["Version"] == nil) {
			t.Fatalf("customer %s: event %d keeps %s", e.CustomerNo, n, e.Previous)
		}
		seen[e.CustomerNo]++
	}
}

// testJournalBulk: a bulk create journals the customers it stored, and
// only those.
func testJournalBulk(t *testing.T, s Store) {
	b := bulk(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	create(t, s, minimal("L", "2"))
	cs := []*customer.Customer{minimal("L", "1"), minimal("L", "2"), minimal("L", "3")}
	stored, err := b.CreateCustomers(as(customer.ActorSystem, "kund import", ""), "L", cs)
	if err != nil || !slices.Equal(stored, []bool{true, false, true}) {
		t.Fatalf("stored %v, %v", stored, err)
	}
	evs := events(t, s, "L", customer.EventQuery{})
	gapFree(t, evs)
	if len(evs) != 3 || evs[1].CustomerNo != "1" || evs[2].CustomerNo != "3" || evs[2].Actor.ID != "kund import" {
		t.Fatalf("bulk events: %+v", evs)
	}
	equal(t, ptr(snapshot[customer.Customer](t, evs[2])), cs[2])
}

// testJournalSweep: the sweep deletes the events older than their
// ledger's retention, and the sequence goes on after them.
func testJournalSweep(t *testing.T, s Store) {
	sw := s.(Sweeper)
	ledger(t, s, "L", customer.NumbersClient)
	ledger(t, s, "M", customer.NumbersClient)
	if _, err := s.UpdateLedger(ctx, "L", func(l *customer.Ledger) error { l.EventRetentionDays = 10; return nil }); err != nil {
		t.Fatal(err)
	}
	// 1,500 events of day 0 in L: more than one batch of the sweep.
	var old []*customer.Customer
	for i := range 1500 {
		old = append(old, minimal("L", fmt.Sprint(10_000+i)))
	}
	if _, err := bulk(t, s).CreateCustomers(ctx, "L", old); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		at := t0.Add(time.Duration(i) * 24 * time.Hour) // days 0, 1, 2
		for _, l := range []string{"L", "M"} {
			c := minimal(l, fmt.Sprint(i))
			c.CreatedAt, c.UpdatedAt = at, at
			create(t, s, c)
		}
	}
	// On day 11.5 L's events of days 0 and 1 are past its 10 days; M keeps
	// 90 days.
	got, err := sw.Sweep(ctx, t0.Add(11*24*time.Hour+12*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got != (sqlstore.Swept{Events: 1502}) {
		t.Fatalf("swept %+v, want the 1,502 old events of L", got)
	}
	if l := events(t, s, "L", customer.EventQuery{}); len(l) != 1 || l[0].Sequence != 1503 {
		t.Fatalf("L keeps %+v", l)
	}
	if m := events(t, s, "M", customer.EventQuery{}); len(m) != 3 {
		t.Fatalf("M keeps %d events", len(m))
	}
	create(t, s, minimal("L", "9"))
	if l := events(t, s, "L", customer.EventQuery{After: 1503}); len(l) != 1 || l[0].Sequence != 1504 {
		t.Fatalf("after the sweep the sequence goes on: %+v", l)
	}
}
