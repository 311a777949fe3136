package httpapi_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
)

// FuzzRequest sends random methods, paths, headers and bodies to the whole
// handler on a real SQLite file: no input may produce a 5xx or a panic.
func FuzzRequest(f *testing.F) {
	store, err := app.OpenStore(context.Background(), filepath.Join(f.TempDir(), "kund.db"), "")
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	k := app.New(store, app.Config{})
	if err := k.Service.CreateLedger(context.Background(), &customer.Ledger{No: "XXX", Country: "SE"}); err != nil {
		f.Fatal(err)
	}
	tok, err := k.CreateToken(context.Background(), "XXX", []customer.Scope{customer.ScopeAll}, 0)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := k.Service.CreateCustomer(context.Background(), "XXX", &customer.NewCustomer{CustomerNo: "9999", Name: "N",
		LegalAddress: &customer.AddressInput{Addressee: "A", City: "C", ZipCode: "11122", CountryCode: "SE"}}); err != nil {
		f.Fatal(err)
	}

	for _, body := range []string{seedCreate, seedCreateWithBilling, seedAddress, seedFind, `{"msisdn":null}`, `{"eDIAddressInfo":{"van":"x"}}`, ""} {
		for _, path := range []string{"/customers", "/customers/9999", "/customers/9999/legal-address", "/customers/9999/billing-address", "/find-customer"} {
			f.Add(uint8(0), path, "application/json", "", body)
			f.Add(uint8(3), path, "application/json", "*", body)
		}
	}
	f.Add(uint8(1), "/customers?name=%&take=-1", "", "", "")
	f.Add(uint8(1), "/customers/9999?$expand=,,LEGALADDRESS", "", "", "")

	methods := []string{"POST", "GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"}
	f.Fuzz(func(t *testing.T, m uint8, path, contentType, ifMatch, body string) {
		target := "http://kund/ledger/customer/v1/XXX" + path
		if _, err := url.ParseRequestURI(target); err != nil || strings.ContainsAny(path, " \r\n\t#") || !strings.HasPrefix(path, "/") ||
			!validHeader(contentType) || !validHeader(ifMatch) {
			return // not a request an HTTP client can send
		}
		req := httptest.NewRequest(methods[int(m)%len(methods)], target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("If-Match", ifMatch)
		rec := httptest.NewRecorder()
		k.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", req.Method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("an error that is not a problem: %d %s", rec.Code, rec.Body)
		}
	})
}

// validHeader reports whether a client could send v as a header value
// (RFC 9110: no control characters but tab).
func validHeader(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
