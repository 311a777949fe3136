package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

// TestIsolationExpiredAndReplayed adds to TestIsolation's table the two
// refusals it lacks: an expired token on every route, and a retry with
// ledger A's Idempotency-Key sent by another ledger, which must neither
// replay A's answer nor reach A's customers.
func TestIsolationExpiredAndReplayed(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("A", "SE", customer.NumbersClient)
		e.Ledger("B", "SE", customer.NumbersClient)
		all := e.Token("A", customer.ScopeAll)
		create := `{"customerNo":"1","name":"Secret A","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
		first := e.Do(apitest.Request{Method: "POST", Path: "/ledger/customer/v1/A/customers", Token: all, Body: create,
			Header: map[string]string{"Idempotency-Key": "shared"}})
		want(t, first, http.StatusCreated)

		short, err := e.Kund.CreateToken(t.Context(), "A", []customer.Scope{customer.ScopeAll}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		want(t, e.Call("GET", "/ledger/customer/v1/A/customers/1", short, ""), http.StatusOK)
		e.Advance(time.Hour)
		for _, rt := range routes {
			problem(t, e.Call(rt.method, "/ledger/customer/v1/A"+rt.path, short, rt.body), http.StatusUnauthorized, customer.EUNAUTHORIZED)
			problem(t, e.Do(apitest.Request{Method: rt.method, Path: "/ledger/customer/v1/A" + rt.path, Token: short, Body: rt.body,
				Header: map[string]string{"Idempotency-Key": "shared"}}), http.StatusUnauthorized, customer.EUNAUTHORIZED)
		}

		b := e.Token("B", customer.ScopeAll)
		for _, path := range []string{"/ledger/customer/v1/A/customers", "/ledger/customer/v1/B/customers"} {
			res := e.Do(apitest.Request{Method: "POST", Path: path, Token: b, Body: create, Header: map[string]string{"Idempotency-Key": "shared"}})
			if res.Header.Get("Idempotent-Replayed") != "" || strings.Contains(string(res.Body), "/A/") {
				t.Fatalf("%s: ledger B was answered with A's stored reply: %d %s", path, res.Status, res.Body)
			}
			if path == "/ledger/customer/v1/A/customers" {
				problem(t, res, http.StatusNotFound, customer.ENOTFOUND)
			} else {
				want(t, res, http.StatusCreated)
			}
		}
		// B's customer 1 is B's own, created above, not A's.
		res := e.Call("GET", "/ledger/customer/v1/B/customers/1", b, "")
		want(t, res, http.StatusOK)
		if !strings.Contains(string(res.Body), "/ledger/customer/v1/B/customers/1") {
			t.Fatalf("B's customer: %s", res.Body)
		}
	})
}
