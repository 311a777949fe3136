package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/pgtest"
)

// TestCopyMeetsAKeyTakenMeanwhile: when another writer takes a number of
// a bulk write before its copy, the copy is rolled back to its savepoint
// and the statements write the batch: every other customer stored with
// the uuids the sequences gave, the one whose number was taken left out
// with the uuids it had, each journaled once.
func TestCopyMeetsAKeyTakenMeanwhile(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	keys, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.UseKeyring(ctx, keys); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	newCustomer := func(no string) *customer.Customer {
		return &customer.Customer{LedgerNo: "L", No: no, UUID: "CSRT0000000001",
			LegalEntity: customer.Consumer, Name: "Kari Nordmann", LegalStatus: customer.StatusActive, ActiveConsents: []string{},
			LegalAddress: customer.Address{UUID: "ADRS0000000001", Addressee: "Kari Nordmann", City: "OSLO", ZipCode: "0150", CountryCode: "NO"},
			LegalSource:  customer.SourceCustomer, CreatedAt: at, UpdatedAt: at}
	}
	d := dialect
	copies := 0
	d.Copy = func(ctx context.Context, conn *sql.Conn, table string, columns []string, n int, row func(int) ([]any, error)) error {
		if copies++; copies == 1 {
			if err := other.CreateCustomer(ctx, newCustomer("150"), nil); err != nil {
				return err
			}
		}
		return copyRows(ctx, conn, table, columns, n, row)
	}
	db, err := open(ctx, url, d)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.UseKeyring(ctx, keys); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateLedger(ctx, &customer.Ledger{No: "L", Country: "SE", CustomerNumbers: customer.NumbersClient}); err != nil {
		t.Fatal(err)
	}
	var cs []*customer.Customer
	for i := range 300 {
		cs = append(cs, newCustomer(fmt.Sprint(i)))
	}
	stored, err := db.CreateCustomers(ctx, "L", cs)
	if err != nil {
		t.Fatal(err)
	}
	if copies < 2 {
		t.Fatalf("%d copies: the taken number did not reach a copy", copies)
	}
	seen := map[string]bool{}
	for i, ok := range stored {
		if ok != (i != 150) {
			t.Fatalf("customer %d stored: %v", i, ok)
		}
		if !ok {
			if cs[i].UUID != "CSRT0000000001" || cs[i].LegalAddress.UUID != "ADRS0000000001" {
				t.Fatalf("the customer not stored has uuids %s, %s", cs[i].UUID, cs[i].LegalAddress.UUID)
			}
			continue
		}
		if seen[cs[i].UUID] || seen[cs[i].LegalAddress.UUID] || cs[i].UUID == "CSRT0000000001" {
			t.Fatalf("customer %d: uuids %s, %s", i, cs[i].UUID, cs[i].LegalAddress.UUID)
		}
		seen[cs[i].UUID], seen[cs[i].LegalAddress.UUID] = true, true
	}
	got, err := db.CustomerByUUID(ctx, "L", cs[151].UUID)
	if err != nil {
		t.Fatal(err)
	}
	if got.No != "151" || got.LegalAddress.UUID != cs[151].LegalAddress.UUID {
		t.Fatalf("by uuid %s: customer %s, address %s", cs[151].UUID, got.No, got.LegalAddress.UUID)
	}
	var n, events int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE ledger_no = 'L'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE ledger_no = 'L'`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if n != 300 || events != 300 {
		t.Fatalf("%d customers and %d events, want 300 of each", n, events)
	}
}
