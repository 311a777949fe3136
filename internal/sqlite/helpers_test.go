package sqlite_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/sqlite"
)

// openWithLedger opens a new store at path with ledger L (client
// numbers); the caller closes it.
func openWithLedger(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	useKey(t, db)
	l := &customer.Ledger{No: "L", Country: "SE", CustomerNumbers: customer.NumbersClient, CreatedAt: time.Now()}
	if err := db.CreateLedger(context.Background(), l); err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db
}

// testKeys is the key of every store of these tests, so that two handles
// of one file open each other's values.
var testKeys = sync.OnceValue(func() *keyring.Keyring {
	k, err := keyring.Generate()
	if err != nil {
		panic(err)
	}
	return k
})

// useKey gives db the tests' key, which seals what is encrypted at rest.
func useKey(t testing.TB, db *sqlite.DB) {
	t.Helper()
	if err := db.UseKeyring(context.Background(), testKeys()); err != nil {
		t.Fatal(err)
	}
}

// newCustomer is a minimal valid customer numbered no (the store gives
// its uuids).
func newCustomer(ledgerNo, no string) *customer.Customer {
	now := time.Now()
	c := &customer.Customer{LedgerNo: ledgerNo, No: no, LegalEntity: customer.Consumer, Name: "Kund Kundsson",
		Email: "kund@example.se", LegalStatus: customer.StatusActive, ActiveConsents: []string{},
		LegalAddress: customer.Address{Addressee: "Kund Kundsson", City: "STOCKHOLM", ZipCode: "11122", CountryCode: "SE"},
		CreatedAt:    now, UpdatedAt: now}
	return c
}
