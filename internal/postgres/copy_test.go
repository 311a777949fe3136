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

// TestCopyMeetsAKeyTakenMeanwhile: when another writer takes a key of a
// bulk write between its lookups and its copy, the copy is rolled back to
// its savepoint and the statements write the batch: every customer
// stored, the one whose address uuid was taken with a new one, each
// journaled once.
func TestCopyMeetsAKeyTakenMeanwhile(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	other, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	const taken = "ADRS9999999999"
	d := dialect
	copies := 0
	d.Copy = func(ctx context.Context, conn *sql.Conn, table string, columns []string, n int, row func(int) ([]any, error)) error {
		if copies++; copies == 1 {
			if _, err := other.ExecContext(ctx, `INSERT INTO address_uuids (uuid) VALUES ($1)`, taken); err != nil {
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
	keys, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseKeyring(ctx, keys); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateLedger(ctx, &customer.Ledger{No: "L", Country: "SE", CustomerNumbers: customer.NumbersClient}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	var cs []*customer.Customer
	for i := range 300 {
		cs = append(cs, &customer.Customer{LedgerNo: "L", No: fmt.Sprint(i), UUID: fmt.Sprintf("CSRT%010d", 1000+i),
			LegalEntity: customer.Consumer, Name: "Kari Nordmann", LegalStatus: customer.StatusActive, ActiveConsents: []string{},
			LegalAddress: customer.Address{UUID: fmt.Sprintf("ADRS%010d", 1000+i), Addressee: "Kari Nordmann", City: "OSLO", ZipCode: "0150", CountryCode: "NO"},
			LegalSource:  customer.SourceCustomer, CreatedAt: at, UpdatedAt: at})
	}
	cs[150].LegalAddress.UUID = taken
	stored, err := db.CreateCustomers(ctx, "L", cs, customer.RedrawUUIDs)
	if err != nil {
		t.Fatal(err)
	}
	if copies < 2 {
		t.Fatalf("%d copies: the taken key did not reach a copy", copies)
	}
	for i, ok := range stored {
		if !ok {
			t.Fatalf("customer %d not stored", i)
		}
	}
	if cs[150].LegalAddress.UUID == taken || cs[151].LegalAddress.UUID != "ADRS0000001151" {
		t.Fatalf("uuids after the clash: %s, %s", cs[150].LegalAddress.UUID, cs[151].LegalAddress.UUID)
	}
	got, err := db.Customer(ctx, "L", "150")
	if err != nil {
		t.Fatal(err)
	}
	if got.LegalAddress.UUID != cs[150].LegalAddress.UUID {
		t.Fatalf("stored address uuid %s, want %s", got.LegalAddress.UUID, cs[150].LegalAddress.UUID)
	}
	var n, events int
	if err := other.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE ledger_no = 'L'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := other.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE ledger_no = 'L'`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if n != 300 || events != 300 {
		t.Fatalf("%d customers and %d events, want 300 of each", n, events)
	}
}
