package customer_test

import (
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

// BenchmarkValidateNewCustomer is the domain's validation of a typical
// create request (runs only with -bench).
func BenchmarkValidateNewCustomer(b *testing.B) {
	l := &customer.Ledger{No: "BENCH", Country: "SE", CustomerNumbers: customer.NumbersClient}
	now := time.Now()
	in := &customer.NewCustomer{
		CustomerNo: "1000001", NationalID: &customer.NationalIDInput{RegNo: "19121212-1212", CountryCode: "SE"},
		Name: "Kund Kundsson", Email: "kund@example.se", MSISDN: "+46701234567", PreferredLanguage: "SV",
		DistributionType: "postal",
		LegalAddress:     &customer.AddressInput{Addressee: "Kund Kundsson", StreetAddress: "Storgatan 1", City: "STOCKHOLM", ZipCode: "111 22", CountryCode: "SE"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := in.Validate(l, now); err != nil {
			b.Fatal(err)
		}
	}
}
