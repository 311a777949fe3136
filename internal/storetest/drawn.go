package storetest

import (
	"database/sql"
	"testing"

	"github.com/kund/kund/internal/customer"
)

// DrawnUUIDs is what RunDrawnUUIDs needs of an engine to build a database
// whose customers drew their uuids at random, as before migration 0014.
type DrawnUUIDs struct {
	// Open opens the one database of the test (migrating it), Close
	// closes what Open returned.
	Open  func(t *testing.T) Store
	Close func(s Store)
	// DB reaches the database directly, used while the store is closed.
	DB *sql.DB
	// Undo takes migration 0014 back: what it made is dropped, the index
	// customers_uuid made again, the version forgotten.
	Undo []string
	// Rewind takes the customers' sequence back by one number and the
	// addresses' by two (run three times in a test).
	Rewind []string
}

func (e DrawnUUIDs) exec(t *testing.T, query string) {
	t.Helper()
	if _, err := e.DB.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (e DrawnUUIDs) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// RunDrawnUUIDs: a database whose customers drew their uuids at random
// keeps them through migration 0014: a lookup by one finds its customer,
// no new customer or address gets one of them (also when the sequence
// arrives at one), and an erasure or a removed address takes them out of
// the tables that keep them.
func RunDrawnUUIDs(t *testing.T, e DrawnUUIDs) {
	s := e.Open(t)
	ledger(t, s, "L", customer.NumbersClient)
	a := create(t, s, sample("L", "A"))
	b := create(t, s, minimal("L", "B"))
	e.Close(s)

	drawn := map[string][3]string{"A": {"CSRT7777777701", "ADRS7777777701", "ADRS7777777702"}, "B": {"CSRT7777777703", "ADRS7777777704"}}
	e.exec(t, `UPDATE customers SET uuid = 'CSRT7777777701', legal_uuid = 'ADRS7777777701', billing_uuid = 'ADRS7777777702' WHERE customer_no = 'A'`)
	e.exec(t, `UPDATE customers SET uuid = 'CSRT7777777703', legal_uuid = 'ADRS7777777704' WHERE customer_no = 'B'`)
	e.exec(t, `INSERT INTO address_uuids (uuid) VALUES ('ADRS7777777701'), ('ADRS7777777702'), ('ADRS7777777704')`)
	for _, q := range e.Undo {
		e.exec(t, q)
	}

	s = e.Open(t)
	for no, u := range drawn {
		got, err := s.CustomerByUUID(ctx, "L", u[0])
		if err != nil {
			t.Fatalf("customer %s by the uuid it drew: %v", no, err)
		}
		if got.No != no || got.LegalAddress.UUID != u[1] || (u[2] != "") != (got.BillingAddress != nil) ||
			(got.BillingAddress != nil && got.BillingAddress.UUID != u[2]) {
			t.Fatalf("customer %s: %+v, want the uuids %v", no, got, u)
		}
	}
	for _, old := range []*customer.Customer{a, b} {
		if _, err := s.CustomerByUUID(ctx, "L", old.UUID); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
			t.Fatalf("uuid %s, which customer %s no longer has: %v", old.UUID, old.No, err)
		}
	}
	// E's row will hold another uuid than the one its id makes (as a
	// customer that drew its uuid at random does): the one its id makes
	// then finds nothing.
	made := create(t, s, minimal("L", "E")).UUID
	c := create(t, s, sample("L", "C"))
	if got, err := s.CustomerByUUID(ctx, "L", c.UUID); err != nil || got.No != "C" {
		t.Fatalf("a new customer by its uuid: %v, %v", got, err)
	}
	e.Close(s)
	e.exec(t, `UPDATE customers SET uuid = 'CSRT7777777705' WHERE customer_no = 'E'`)
	e.exec(t, `INSERT INTO drawn_uuids (uuid, id) SELECT uuid, id FROM customers WHERE customer_no = 'E'`)

	// The sequences taken back to C's numbers, and C's uuids drawn (as if
	// at random) by another: the next customer passes over them.
	e.exec(t, `DELETE FROM customers WHERE customer_no = 'C'`)
	for _, q := range e.Rewind {
		e.exec(t, q)
	}
	e.exec(t, `INSERT INTO drawn_uuids (uuid, id) VALUES ('`+c.UUID+`', 0)`)
	e.exec(t, `INSERT INTO address_uuids (uuid) VALUES ('`+c.LegalAddress.UUID+`')`)
	s = e.Open(t)
	if _, err := s.CustomerByUUID(ctx, "L", made); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
		t.Fatalf("by the uuid %s of E's row id, which E does not have: %v", made, err)
	}
	if got, err := s.CustomerByUUID(ctx, "L", "CSRT7777777705"); err != nil || got.No != "E" {
		t.Fatalf("E by its uuid: %v, %v", got, err)
	}
	d := create(t, s, sample("L", "D"))
	if d.UUID == c.UUID || d.LegalAddress.UUID == c.LegalAddress.UUID {
		t.Fatalf("the new customer got the uuids %s, %s that were drawn before", d.UUID, d.LegalAddress.UUID)
	}
	for _, u := range []string{d.UUID, d.LegalAddress.UUID, d.BillingAddress.UUID} {
		for _, other := range []string{"CSRT7777777701", "ADRS7777777701", "ADRS7777777702", "CSRT7777777703", "ADRS7777777704", c.UUID, c.LegalAddress.UUID} {
			if u == other {
				t.Fatalf("the new customer has the uuid %s drawn before", u)
			}
		}
	}
	if got, err := s.CustomerByUUID(ctx, "L", d.UUID); err != nil || got.No != "D" {
		t.Fatalf("customer D by its uuid: %v, %v", got, err)
	}
	if _, err := s.CustomerByUUID(ctx, "L", c.UUID); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
		t.Fatalf("by a drawn uuid of no customer: %v", err)
	}

	// A sequence taken back behind its table (a database edited by hand)
	// gives a row id in use: a create fails, and not as a taken number,
	// and a bulk write fails rather than leave its customers out.
	e.Close(s)
	for _, q := range e.Rewind {
		e.exec(t, q)
	}
	s = e.Open(t)
	if err := s.CreateCustomer(ctx, minimal("L", "F"), nil); err == nil || customer.ErrorCode(err) == customer.ECUSTOMEREXISTS {
		t.Fatalf("a create on a row id in use: %v", err)
	}
	if _, ok := s.(customer.BulkStore); ok {
		// The failed create may have moved the sequence on (PostgreSQL's
		// are not transactional): back again.
		e.Close(s)
		for _, q := range e.Rewind {
			e.exec(t, q)
		}
		s = e.Open(t)
		b := s.(customer.BulkStore)
		if stored, err := b.CreateCustomers(ctx, "L", []*customer.Customer{minimal("L", "F")}); err == nil {
			t.Fatalf("a bulk write on a row id in use stored %v", stored)
		}
	}

	// A removed billing address and an erased customer leave nothing in
	// the tables of drawn uuids.
	if _, err := s.UpdateCustomer(ctx, "L", "A", func(c *customer.Customer) error { c.BillingAddress = nil; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseCustomer(ctx, erasure("L", "B"), customer.RedactEvent); err != nil {
		t.Fatal(err)
	}
	e.Close(s)
	if n := e.count(t, `SELECT count(*) FROM address_uuids WHERE uuid IN ('ADRS7777777702', 'ADRS7777777704')`); n != 0 {
		t.Fatalf("%d address uuids of a removed address and an erased customer left", n)
	}
	if n := e.count(t, `SELECT count(*) FROM drawn_uuids WHERE uuid = 'CSRT7777777703'`); n != 0 {
		t.Fatal("the erased customer's drawn uuid is left")
	}
	if n := e.count(t, `SELECT count(*) FROM drawn_uuids WHERE uuid = 'CSRT7777777701'`); n != 1 {
		t.Fatal("customer A's drawn uuid is gone")
	}
}
