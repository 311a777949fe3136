package storetest

import (
	"sync"
	"testing"

	"github.com/kund/kund/internal/customer"
)

// testCreateRollsBack: a create that fails late (at its end, after the
// customer row and its event were written) leaves nothing behind: its
// number and, on a generating ledger, its customer number are free
// afterwards.
func testCreateRollsBack(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	ledger(t, s, "G", customer.NumbersGenerated)
	create(t, s, minimal("L", "1"))

	for _, ledgerNo := range []string{"L", "G"} {
		no := ""
		if ledgerNo == "L" {
			no = "2"
		}
		failed := sample(ledgerNo, no)
		code(t, s.CreateCustomer(ctx, failed, lostKey(t, s, ledgerNo, "k")), customer.ECONFLICT)
		if _, err := s.CustomerByUUID(ctx, ledgerNo, failed.UUID); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
			t.Fatalf("%s: the failed create's uuid finds %v", ledgerNo, err)
		}
		again := sample(ledgerNo, no)
		create(t, s, again)
		if ledgerNo == "G" && again.No != customer.GeneratedCustomerNo(1) {
			t.Fatalf("the failed create used up a generated number: the next is %q", again.No)
		}
	}
}

// testConcurrentSameNumber: many writers creating the same customer number
// at once; exactly one wins, every other one gets a conflict, none an
// internal error.
func testConcurrentSameNumber(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateCustomer(ctx, minimal("L", "5"), nil)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case customer.ErrorCode(err) != customer.ECUSTOMEREXISTS:
			t.Fatalf("a losing writer: got %v, want %s", err, customer.ECUSTOMEREXISTS)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers created customer 5, want exactly 1", won)
	}
}
