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
	stored, err := b.CreateCustomers(ctx, "L", cs, customer.RedrawUUIDs)
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
	again, err := b.CreateCustomers(ctx, "L", []*customer.Customer{minimal("L", "3"), minimal("L", "1000")}, customer.RedrawUUIDs)
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

// A customer of a batch whose uuid is in use (or used by another customer
// of the batch) draws again and is written; the others keep theirs. One
// that keeps drawing taken uuids fails the batch, which writes nothing.
func testBulkUUIDTaken(t *testing.T, s Store) {
	b := bulk(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	a := create(t, s, sample("L", "1"))
	for i, tt := range []struct {
		name   string
		mutate func(c *customer.Customer, shared string)
	}{
		{"customer uuid in use", func(c *customer.Customer, _ string) { c.UUID = a.UUID }},
		{"address uuid in use", func(c *customer.Customer, _ string) { c.LegalAddress.UUID = a.BillingAddress.UUID }},
		{"billing uuid in use", func(c *customer.Customer, _ string) {
			c.BillingAddress = &customer.Address{UUID: a.LegalAddress.UUID, Addressee: "B", City: "C", ZipCode: "11122", CountryCode: "SE"}
		}},
		{"uuid twice in the batch", func(c *customer.Customer, shared string) { c.LegalAddress.UUID = shared }},
	} {
		name, shared := tt.name, fmt.Sprintf("ADRS00000001%02d", i)
		t.Run(name, func(t *testing.T) {
			before := len(exported(t, b, "L"))
			keep, clash := minimal("L", "k"+name), minimal("L", "c"+name)
			keep.LegalAddress.UUID = shared
			tt.mutate(clash, shared)
			keepUUIDs := []string{keep.UUID, keep.LegalAddress.UUID}
			clashUUIDs := append([]string{clash.UUID}, newAddressUUIDs(clash)...)
			// A redraw that draws the same uuids again never helps.
			if _, err := b.CreateCustomers(ctx, "L", []*customer.Customer{keep, clash}, func(*customer.Customer) {}); !errors.Is(err, customer.ErrUUIDTaken) {
				t.Fatalf("got %v, want ErrUUIDTaken", err)
			}
			if n := len(exported(t, b, "L")); n != before {
				t.Fatalf("%d customers after a failed batch, want %d", n, before)
			}
			stored, err := b.CreateCustomers(ctx, "L", []*customer.Customer{keep, clash}, customer.RedrawUUIDs)
			if err != nil || !slices.Equal(stored, []bool{true, true}) {
				t.Fatalf("stored %v, %v", stored, err)
			}
			if got := []string{keep.UUID, keep.LegalAddress.UUID}; !slices.Equal(got, keepUUIDs) {
				t.Fatalf("a customer without a clash drew new uuids: %v, was %v", got, keepUUIDs)
			}
			if got := append([]string{clash.UUID}, newAddressUUIDs(clash)...); slices.Equal(got, clashUUIDs) {
				t.Fatalf("the clashing customer kept its uuids %v", got)
			}
			for _, c := range []*customer.Customer{keep, clash} {
				got, err := s.Customer(ctx, "L", c.No)
				if err != nil {
					t.Fatal(err)
				}
				equal(t, got, c)
				// Its created event shows it as stored, with the uuids it
				// drew last.
				evs := events(t, s, "L", customer.EventQuery{CustomerNo: c.No, Limit: 10})
				if len(evs) != 1 || evs[0].Type != customer.EventCustomerCreated {
					t.Fatalf("events of %s: %+v", c.No, evs)
				}
				equal(t, ptr(snapshot[customer.Customer](t, evs[0])), c)
			}
			if n := len(exported(t, b, "L")); n != before+2 {
				t.Fatalf("%d customers, want %d", n, before+2)
			}
			// The clashing customer's first uuids that were free before are
			// free again: what it wrote before meeting the clash was taken back.
			for _, u := range clashUUIDs[1:] {
				if u == shared || u == a.LegalAddress.UUID || u == a.BillingAddress.UUID {
					continue
				}
				c := minimal("L", "f"+u)
				c.LegalAddress.UUID = u
				create(t, s, c)
			}
		})
	}
}

func newAddressUUIDs(c *customer.Customer) []string {
	added, _ := customer.AddressUUIDChanges(nil, c)
	return added
}

// testBulkMany: a batch of many new customers (which an engine may copy
// rather than insert row by row) stores each as it was, findable by its
// identity number, journals each once, and claims every address uuid. In
// a second such batch one customer's address uuid is taken: the batch is
// still stored whole, and only that customer draws new uuids.
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
	stored, err := b.CreateCustomers(as(customer.ActorSystem, "kund import", ""), "L", first, customer.RedrawUUIDs)
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
	// Every address uuid of the batch is claimed: a customer that brings
	// one is refused.
	taken := minimal("L", "taken")
	taken.LegalAddress.UUID = first[300].BillingAddress.UUID
	if err := s.CreateCustomer(ctx, taken, nil); !errors.Is(err, customer.ErrUUIDTaken) {
		t.Fatalf("an address uuid of the batch again: %v, want ErrUUIDTaken", err)
	}

	var second []*customer.Customer
	for i := range 400 {
		second = append(second, minimal("L", fmt.Sprint(1000+i)))
	}
	clash := second[250]
	clash.LegalAddress.UUID = first[3].LegalAddress.UUID
	keep := second[251].LegalAddress.UUID
	stored, err = b.CreateCustomers(ctx, "L", second, customer.RedrawUUIDs)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(stored); n != len(second) {
		t.Fatalf("stored %d of %d", n, len(second))
	}
	if clash.LegalAddress.UUID == first[3].LegalAddress.UUID || second[251].LegalAddress.UUID != keep {
		t.Fatalf("uuids after the clash: %s (was taken), %s (was %s)", clash.LegalAddress.UUID, second[251].LegalAddress.UUID, keep)
	}
	for _, c := range []*customer.Customer{clash, second[251], second[399]} {
		got, err := s.Customer(ctx, "L", c.No)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, got, c)
	}
	if evs := events(t, s, "L", customer.EventQuery{}); len(evs) != len(first)+len(second) {
		t.Fatalf("%d events, want %d", len(evs), len(first)+len(second))
	} else {
		gapFree(t, evs)
	}
	if n := len(exported(t, b, "L")); n != len(first)+len(second) {
		t.Fatalf("exported %d", n)
	}
	// The first batch again, after one new customer: only that one is
	// stored and journaled, and the others, whose numbers are taken, draw
	// no new uuids (theirs are taken too: by themselves).
	again := append([]*customer.Customer{minimal("L", "new")}, first...)
	was := first[7].UUID
	stored, err = b.CreateCustomers(ctx, "L", again, func(c *customer.Customer) { t.Errorf("customer %s drew new uuids", c.No) })
	if err != nil {
		t.Fatal(err)
	}
	if count(stored) != 1 || !stored[0] {
		t.Fatalf("the batch again stored %d, the new one %v", count(stored), stored[0])
	}
	if first[7].UUID != was {
		t.Fatalf("a customer not stored has uuid %s, was %s", first[7].UUID, was)
	}
	if evs := events(t, s, "L", customer.EventQuery{}); len(evs) != len(first)+len(second)+1 || evs[len(evs)-1].CustomerNo != "new" {
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
		stored, err := b.CreateCustomers(ctx, "L", batch, customer.RedrawUUIDs)
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
