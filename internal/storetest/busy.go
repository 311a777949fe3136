package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/kund/kund/internal/customer"
)

// Many concurrent writes, some failing half-way (after a write of their
// own), as a group-committing store runs them together: each failed one
// leaves no trace and every other one is stored.
func testFailingAmongMany(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	taken := create(t, s, sample("L", "0"))
	const n = 120
	errs := make([]error, n)
	cs := make([]*customer.Customer, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		c := sample("L", fmt.Sprint(i+1))
		switch i % 3 {
		case 1: // the legal address uuid is claimed, then the billing one fails
			c.BillingAddress.UUID = taken.BillingAddress.UUID
		case 2: // the number is taken after the address uuids were claimed
			c.No = "0"
		}
		cs[i] = c
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = s.CreateCustomer(ctx, cs[i], nil)
		}(i)
	}
	wg.Wait()
	if g, ok := s.(interface{ GroupStats() (int64, int64) }); ok {
		commits, txs := g.GroupStats()
		t.Logf("%d write transactions in %d commits", txs, commits)
	}
	for i, err := range errs {
		switch i % 3 {
		case 0:
			if err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
			if _, err := s.Customer(ctx, "L", cs[i].No); err != nil {
				t.Fatalf("customer %s lost: %v", cs[i].No, err)
			}
		case 1:
			if !errors.Is(err, customer.ErrUUIDTaken) {
				t.Fatalf("create %d: got %v, want ErrUUIDTaken", i, err)
			}
			if _, err := s.Customer(ctx, "L", cs[i].No); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
				t.Fatalf("failed create %d was written: %v", i, err)
			}
		case 2:
			code(t, err, customer.ECUSTOMEREXISTS)
		}
	}
	// The address uuids the failed creates had claimed are free again.
	for i := 1; i < n; i += 3 {
		c := minimal("L", fmt.Sprintf("again-%d", i))
		c.LegalAddress.UUID = cs[i].LegalAddress.UUID
		create(t, s, c)
	}
	for i := 2; i < n; i += 3 {
		c := minimal("L", fmt.Sprintf("again-%d", i))
		c.LegalAddress.UUID = cs[i].LegalAddress.UUID
		create(t, s, c)
	}
	got, err := s.Customer(ctx, "L", "0")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, got, taken)
}
