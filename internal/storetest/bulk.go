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

func testBulkUUIDTaken(t *testing.T, s Store) {
	b := bulk(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	a := create(t, s, sample("L", "1"))
	for name, mutate := range map[string]func(c *customer.Customer){
		"customer uuid in use":    func(c *customer.Customer) { c.UUID = a.UUID },
		"address uuid in use":     func(c *customer.Customer) { c.LegalAddress.UUID = a.BillingAddress.UUID },
		"uuid twice in the batch": func(c *customer.Customer) { c.LegalAddress.UUID = c.UUID },
	} {
		c := minimal("L", "3")
		mutate(c)
		_, err := b.CreateCustomers(ctx, "L", []*customer.Customer{minimal("L", "2"), c})
		var taken *customer.UUIDsTaken
		if !errors.Is(err, customer.ErrUUIDTaken) || !errors.As(err, &taken) {
			t.Fatalf("%s: got %v, want UUIDsTaken", name, err)
		}
		if !slices.Equal(taken.Rows, []int{1}) {
			t.Fatalf("%s: rows %v have taken uuids, want [1]", name, taken.Rows)
		}
		if n := len(exported(t, b, "L")); n != 1 {
			t.Fatalf("%s: %d customers after a failed batch, want 1", name, n)
		}
	}
}

// ImportBatch draws new uuids only for the customers whose uuids are
// taken; the others keep theirs.
func testImportBatchRedrawsTakenOnly(t *testing.T, s Store) {
	b := bulk(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	a := create(t, s, sample("L", "1"))
	keep, clash := minimal("L", "2"), minimal("L", "3")
	clash.UUID, clash.LegalAddress.UUID = a.UUID, a.LegalAddress.UUID
	keepUUID := keep.UUID
	stored, err := customer.ImportBatch(ctx, b, "L", []*customer.Customer{keep, clash})
	if err != nil || !slices.Equal(stored, []bool{true, true}) {
		t.Fatalf("ImportBatch: %v, %v", stored, err)
	}
	if keep.UUID != keepUUID {
		t.Fatalf("a customer without a clash drew a new uuid: %s, was %s", keep.UUID, keepUUID)
	}
	if clash.UUID == a.UUID || clash.LegalAddress.UUID == a.LegalAddress.UUID {
		t.Fatalf("the clashing customer kept a taken uuid: %s %s", clash.UUID, clash.LegalAddress.UUID)
	}
	got := exported(t, b, "L")
	if len(got) != 3 || got[1].UUID != keepUUID || got[2].UUID != clash.UUID {
		t.Fatalf("stored %d customers, want 3 with the uuids ImportBatch left", len(got))
	}
}
