package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/kund/kund/internal/customer"
)

func bulk(t *testing.T, s Store) customer.BulkStore {
	t.Helper()
	b, ok := s.(customer.BulkStore)
	if !ok {
		t.Skip("store has no bulk methods")
	}
	return b
}

func exported(t *testing.T, b customer.BulkStore, ledgerNo string) []*customer.Customer {
	t.Helper()
	var got []*customer.Customer
	if err := b.EachCustomer(ctx, ledgerNo, func(c *customer.Customer) error { got = append(got, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func testBulk(t *testing.T, s Store) {
	b := bulk(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	ledger(t, s, "M", customer.NumbersClient)
	create(t, s, minimal("L", "5"))
	create(t, s, minimal("M", "1"))
	// More than one IN-list chunk, a number the ledger has, a number twice
	// in the batch, and a number another ledger has.
	var cs []*customer.Customer
	for i := 0; i < 450; i++ {
		c := minimal("L", fmt.Sprint(i))
		if i%2 == 0 {
			c = sample("L", fmt.Sprint(i))
		}
		cs = append(cs, c)
	}
	cs = append(cs, minimal("L", "7"))
	stored, err := b.CreateCustomers(ctx, "L", cs)
	if err != nil {
		t.Fatal(err)
	}
	for i, ok := range stored {
		want := i != 5 && i != 450
		if ok != want {
			t.Fatalf("row %d (number %s): stored %v, want %v", i, cs[i].No, ok, want)
		}
	}
	for _, i := range []int{0, 1, 1, 449} {
		got, err := s.Customer(ctx, "L", cs[i].No)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 {
			t.Fatalf("version %d", got.Version)
		}
		equal(t, got, cs[i])
	}
	all := exported(t, b, "L")
	if len(all) != 450 {
		t.Fatalf("exported %d customers, want 450", len(all))
	}
	if all[0].No != "5" || all[1].No != "0" || all[449].No != "449" {
		t.Fatalf("export order: %s %s %s", all[0].No, all[1].No, all[449].No)
	}
	if m := exported(t, b, "M"); len(m) != 1 {
		t.Fatalf("ledger M exported %d, want 1", len(m))
	}
	// Running the same batch again writes nothing twice.
	again, err := b.CreateCustomers(ctx, "L", []*customer.Customer{minimal("L", "3"), minimal("L", "1000")})
	if err != nil {
		t.Fatal(err)
	}
	if again[0] || !again[1] {
		t.Fatalf("rerun stored %v, want [false true]", again)
	}
	stop := errors.New("stop")
	n := 0
	if err := b.EachCustomer(ctx, "L", func(*customer.Customer) error { n++; return stop }); err != stop || n != 1 {
		t.Fatalf("EachCustomer did not stop: %v after %d", err, n)
	}
}

// testBulkUUIDs: customers of a batch that bring uuids in use, and the
// same uuids more than once, are stored with uuids of their own, each
// found by its uuid and journaled with it; the customer whose uuids they
// brought keeps its own.
func testBulkUUIDs(t *testing.T, s Store) {
	b := bulk(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	a := create(t, s, sample("L", "1"))
	was := a.Clone()
	var cs []*customer.Customer
	for i := range 4 {
		c := sample("L", fmt.Sprint(10+i))
		c.UUID, c.LegalAddress.UUID, c.BillingAddress.UUID = a.UUID, a.LegalAddress.UUID, a.BillingAddress.UUID
		cs = append(cs, c)
	}
	stored, err := b.CreateCustomers(ctx, "L", cs)
	if err != nil || !slices.Equal(stored, []bool{true, true, true, true}) {
		t.Fatalf("stored %v, %v", stored, err)
	}
	seen := map[string]bool{}
	for _, c := range append([]*customer.Customer{a}, cs...) {
		for _, u := range []string{c.UUID, c.LegalAddress.UUID, c.BillingAddress.UUID} {
			if seen[u] {
				t.Fatalf("uuid %s twice", u)
			}
			seen[u] = true
		}
		got, err := s.CustomerByUUID(ctx, "L", c.UUID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, got, c)
		evs := events(t, s, "L", customer.EventQuery{CustomerNo: c.No, Limit: 10})
		if len(evs) != 1 || evs[0].Type != customer.EventCustomerCreated {
			t.Fatalf("events of %s: %+v", c.No, evs)
		}
		equal(t, ptr(snapshot[customer.Customer](t, evs[0])), c)
	}
	equal(t, a, was)
}

// testBulkMany: a batch of many new customers (which an engine may copy
// rather than insert row by row) stores each as it was, findable by its
// identity number and its uuid, and journals each once. In a second such
// batch one customer brings an address uuid of the first: the batch is
// still stored whole, and that customer has an address uuid of its own.
func testBulkMany(t *testing.T, s Store) {
	b := bulk(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	var first []*customer.Customer
	for i := range 600 {
		c := minimal("L", fmt.Sprint(i))
		if i%3 == 0 {
			c = sample("L", fmt.Sprint(i))
			c.NationalID.RegNo = fmt.Sprintf("19121212-%04d", i)
		}
		first = append(first, c)
	}
	stored, err := b.CreateCustomers(as(customer.ActorSystem, "kund import", ""), "L", first)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(stored); n != len(first) {
		t.Fatalf("stored %d of %d", n, len(first))
	}
	for _, i := range []int{0, 1, 299, 300, 599} {
		got, err := s.Customer(ctx, "L", first[i].No)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, got, first[i])
	}
	if found, err := s.FindCustomers(ctx, "L", *first[300].NationalID, 10); err != nil || len(found) != 1 || found[0].No != "300" {
		t.Fatalf("found %v, %v", found, err)
	}
	evs := events(t, s, "L", customer.EventQuery{})
	gapFree(t, evs)
	if len(evs) != len(first) {
		t.Fatalf("%d events for %d customers", len(evs), len(first))
	}
	for _, i := range []int{0, 599} {
		if evs[i].CustomerNo != first[i].No || evs[i].Type != customer.EventCustomerCreated || evs[i].Actor.ID != "kund import" {
			t.Fatalf("event %d: %+v", i, evs[i])
		}
		equal(t, ptr(snapshot[customer.Customer](t, evs[i])), first[i])
	}
	for _, i := range []int{0, 300, 599} {
		if got, err := s.CustomerByUUID(ctx, "L", first[i].UUID); err != nil || got.No != first[i].No {
			t.Fatalf("customer %s by its uuid: %v, %v", first[i].No, got, err)
		}
	}
	// A customer that brings an address uuid of the batch gets its own.
	taken := minimal("L", "taken")
	taken.LegalAddress.UUID = first[300].BillingAddress.UUID
	create(t, s, taken)
	if taken.LegalAddress.UUID == first[300].BillingAddress.UUID {
		t.Fatalf("a new customer has the address uuid %s of customer 300", taken.LegalAddress.UUID)
	}

	var second []*customer.Customer
	for i := range 400 {
		second = append(second, minimal("L", fmt.Sprint(1000+i)))
	}
	clash := second[250]
	clash.LegalAddress.UUID = first[3].LegalAddress.UUID
	stored, err = b.CreateCustomers(ctx, "L", second)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(stored); n != len(second) {
		t.Fatalf("stored %d of %d", n, len(second))
	}
	if clash.LegalAddress.UUID == first[3].LegalAddress.UUID {
		t.Fatalf("customer %s has the address uuid %s of customer 3", clash.No, clash.LegalAddress.UUID)
	}
	for _, c := range []*customer.Customer{clash, second[251], second[399]} {
		got, err := s.Customer(ctx, "L", c.No)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, got, c)
	}
	if evs := events(t, s, "L", customer.EventQuery{}); len(evs) != len(first)+len(second)+1 {
		t.Fatalf("%d events, want %d", len(evs), len(first)+len(second)+1)
	} else {
		gapFree(t, evs)
	}
	if n := len(exported(t, b, "L")); n != len(first)+len(second)+1 {
		t.Fatalf("exported %d", n)
	}
	// The first batch again, after one new customer: only that one is
	// stored and journaled, and the others, whose numbers are taken, keep
	// the uuids they have.
	again := append([]*customer.Customer{minimal("L", "new")}, first...)
	was := first[7].UUID
	stored, err = b.CreateCustomers(ctx, "L", again)
	if err != nil {
		t.Fatal(err)
	}
	if count(stored) != 1 || !stored[0] {
		t.Fatalf("the batch again stored %d, the new one %v", count(stored), stored[0])
	}
	if first[7].UUID != was {
		t.Fatalf("a customer not stored has uuid %s, was %s", first[7].UUID, was)
	}
	if evs := events(t, s, "L", customer.EventQuery{}); len(evs) != len(first)+len(second)+2 || evs[len(evs)-1].CustomerNo != "new" {
		t.Fatalf("%d events after the batch again", len(evs))
	}
}

func count(stored []bool) int {
	n := 0
	for _, ok := range stored {
		if ok {
			n++
		}
	}
	return n
}

// testBulkTwiceFirstKeeps: of two customers of a batch with one number,
// the first is stored, even when it has to draw new uuids, in a small
// batch and in one of many.
func testBulkTwiceFirstKeeps(t *testing.T, s Store) {
	b := bulk(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	old := create(t, s, minimal("L", "old"))
	for _, n := range []int{2, 300} {
		no := fmt.Sprint("twice-", n)
		first, second := minimal("L", no), minimal("L", no)
		first.UUID = old.UUID
		second.Name = "Ola Nordmann"
		batch := []*customer.Customer{first}
		for i := range n - 2 {
			batch = append(batch, minimal("L", fmt.Sprint(n, "-", i)))
		}
		batch = append(batch, second)
		stored, err := b.CreateCustomers(ctx, "L", batch)
		if err != nil {
			t.Fatal(err)
		}
		if !stored[0] || stored[len(batch)-1] || count(stored) != n-1 {
			t.Fatalf("batch of %d: first stored %v, second %v, %d in all", n, stored[0], stored[len(batch)-1], count(stored))
		}
		if first.UUID == old.UUID {
			t.Fatalf("batch of %d: the first kept a taken uuid", n)
		}
		got, err := s.Customer(ctx, "L", no)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, got, first)
	}
}
