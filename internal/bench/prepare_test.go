package bench

import (
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
	"github.com/kund/kund/internal/nordic"
)

// The generated rows are valid creates with distinct, valid personal
// numbers (find-customer must find exactly one).
func TestRowsAreValidAndDistinct(t *testing.T) {
	l := &customer.Ledger{No: Ledger, Country: "SE", CustomerNumbers: customer.NumbersClient}
	seen := map[string]int{}
	for _, i := range []int{0, 1, 2, 899, 900, 901, 12345, 99999, 100000, 999999, 1000000, 7_999_999} {
		in, err := httpapi.DecodeCreateBody(Row(i))
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		c, err := in.Validate(l, time.Now())
		if err != nil {
			t.Fatalf("row %d: %s", i, customer.ErrorProblems(err))
		}
		if j, dup := seen[c.NationalID.RegNo]; dup {
			t.Fatalf("rows %d and %d share %s", j, i, c.NationalID.RegNo)
		}
		seen[c.NationalID.RegNo] = i
		if _, err := nordic.ParsePersonalNumber("SE", PersonalNo(i), time.Now()); err != nil {
			t.Fatalf("personal number %d %s: %v", i, PersonalNo(i), err)
		}
	}
}
