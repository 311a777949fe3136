package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

// testRegisterCursors: a cursor is kept, replaced and forgotten by name.
func testRegisterCursors(t *testing.T, s Store) {
	if c, err := s.RegisterCursor(ctx, "feed"); err != nil || c != "" {
		t.Fatalf("no cursor yet: %q %v", c, err)
	}
	for _, c := range []string{"run1.7", "run1.9"} {
		if err := s.SetRegisterCursor(ctx, "feed", c, t0); err != nil {
			t.Fatal(err)
		}
		if got, err := s.RegisterCursor(ctx, "feed"); err != nil || got != c {
			t.Fatalf("cursor %q %v, want %q", got, err, c)
		}
	}
	if err := s.SetRegisterCursor(ctx, "refresh/L", "1 2", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRegisterCursor(ctx, "feed"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.RegisterCursor(ctx, "feed"); c != "" {
		t.Fatalf("a deleted cursor is %q", c)
	}
	if c, _ := s.RegisterCursor(ctx, "refresh/L"); c != "1 2" {
		t.Fatalf("another name's cursor is %q", c)
	}
}

// testMonitoredLedgers: the ledgers that opted in, and the customers of a
// ledger whose legal address is due for a refresh.
func testMonitoredLedgers(t *testing.T, s Store) {
	for _, no := range []string{"B", "A", "C"} {
		ledger(t, s, no, customer.NumbersClient)
	}
	for _, no := range []string{"C", "A"} {
		if _, err := s.UpdateLedger(ctx, no, func(l *customer.Ledger) error { l.RegisterMonitoring = true; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.MonitoredLedgers(ctx); err != nil || !reflect.DeepEqual(got, []string{"A", "C"}) {
		t.Fatalf("monitored ledgers %v %v", got, err)
	}

	// 1 confirmed long ago, 2 never, 3 just now, 4 a business, 5 without
	// an identity number, 6 of another ledger, 7 with a number of a
	// country without a register Kund can ask.
	mk := func(ledgerNo, no string, confirmed time.Time, fn func(*customer.Customer)) {
		c := sample(ledgerNo, no)
		c.LegalConfirmedAt = confirmed
		if fn != nil {
			fn(c)
		}
		create(t, s, c)
	}
	mk("A", "1", t0.Add(-60*24*time.Hour), nil)
	mk("A", "2", time.Time{}, func(c *customer.Customer) { c.LegalSource = customer.SourceCustomer })
	mk("A", "3", t0, nil)
	mk("A", "4", time.Time{}, func(c *customer.Customer) { c.LegalEntity = customer.Business })
	mk("A", "5", time.Time{}, func(c *customer.Customer) { c.NationalID = nil })
	mk("B", "6", time.Time{}, nil)
	mk("A", "7", time.Time{}, func(c *customer.Customer) { c.NationalID = &customer.NationalID{RegNo: "T22000129", CountryCode: "DE"} })
	limit := t0.Add(-30 * 24 * time.Hour)
	got, err := s.StaleLegalAddresses(ctx, "A", limit, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var nos []string
	for _, st := range got {
		nos = append(nos, st.CustomerNo)
	}
	if !reflect.DeepEqual(nos, []string{"1", "2"}) || got[0].ID >= got[1].ID {
		t.Fatalf("stale customers %+v", got)
	}
	if n, err := s.CountStaleLegalAddresses(ctx, "A", limit, 0); err != nil || n != 2 {
		t.Fatalf("count %d %v", n, err)
	}
	rest, err := s.StaleLegalAddresses(ctx, "A", limit, got[0].ID, 10)
	if err != nil || len(rest) != 1 || rest[0].CustomerNo != "2" {
		t.Fatalf("after the first: %+v %v", rest, err)
	}
	if n, _ := s.CountStaleLegalAddresses(ctx, "A", limit, got[0].ID); n != 1 {
		t.Fatalf("count after the first %d", n)
	}
	if page, _ := s.StaleLegalAddresses(ctx, "A", limit, 0, 1); len(page) != 1 {
		t.Fatalf("limit 1 gave %d", len(page))
	}
}
