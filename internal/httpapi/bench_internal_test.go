package httpapi

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

// Benchmarks of the pure per-request work of the hot routes: decoding a
// create body and encoding a customer. They run only with -bench.

const benchBody = `{"customerNo":"1000001","nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"},` +
	`"name":"Kund Kundsson","emailAddress":"kund@example.se","msisdn":"+46701234567","preferredLanguageCode":"SV",` +
	`"distributionType":"postal","legalAddress":{"addressee":"Kund Kundsson","streetAddress":"Storgatan 1",` +
	`"city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"},` +
	`"billingAddress":{"addressee":"Kund AB","streetAddress":"Box 1","city":"STOCKHOLM","zipCode":"10122","countryCode":"SE"}}`

func benchCustomer(b *testing.B) (*customer.Ledger, *customer.Customer) {
	l := &customer.Ledger{No: "BENCH", Country: "SE", CustomerNumbers: customer.NumbersClient}
	in, err := DecodeCreateBody([]byte(benchBody))
	if err != nil {
		b.Fatal(err)
	}
	c, err := in.Validate(l, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	c.UUID, c.LegalAddress.UUID, c.BillingAddress.UUID = "CSRT0000000001", "ADRS0000000001", "ADRS0000000002"
	c.Version = 3
	return l, c
}

func BenchmarkDecodeCreateBody(b *testing.B) {
	body := []byte(benchBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeCreateBody(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeCustomer(b *testing.B) {
	l, c := benchCustomer(b)
	caller := customer.Caller{LedgerNo: "BENCH", Scopes: []customer.Scope{customer.ScopeAll}}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		err := writeAppended(w, 200, func(b []byte) []byte { return appendCustomer(b, caller, l, c, expansion{legal: true, billing: true}) })
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendCreateBody(b *testing.B) {
	_, c := benchCustomer(b)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCreateBody(buf[:0], c)
	}
}
