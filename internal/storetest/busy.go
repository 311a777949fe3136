package storetest

import (
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
	keys := make([]*customer.IdempotencyKey, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		c := sample("L", fmt.Sprint(i+1))
		switch i % 3 {
		case 1: // everything is written, then the key's lease is found lost
			keys[i] = lostKey(t, s, "L", fmt.Sprint(i))
		case 2: // the number is taken, after the sequences gave its uuids
			c.No = "0"
		}
		cs[i] = c
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = s.CreateCustomer(ctx, cs[i], keys[i])
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
			code(t, err, customer.ECONFLICT)
			if _, err := s.Customer(ctx, "L", cs[i].No); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
				t.Fatalf("failed create %d was written: %v", i, err)
			}
		case 2:
			code(t, err, customer.ECUSTOMEREXISTS)
		}
	}
	// The numbers of the failed creates are free; the uuids of all are
	// distinct.
	seen := map[string]bool{}
	for i := 1; i < n; i += 3 {
		c := create(t, s, minimal("L", cs[i].No))
		for _, u := range []string{c.UUID, c.LegalAddress.UUID} {
			if seen[u] {
				t.Fatalf("uuid %s twice", u)
			}
			seen[u] = true
		}
	}
	for i := 0; i < n; i += 3 {
		for _, u := range []string{cs[i].UUID, cs[i].LegalAddress.UUID, cs[i].BillingAddress.UUID} {
			if seen[u] {
				t.Fatalf("uuid %s twice", u)
			}
			seen[u] = true
		}
	}
	got, err := s.Customer(ctx, "L", "0")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, got, taken)
}
