package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

func TestRateLimit(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.StartWith(t, b, func(c *app.Config) { c.HTTP.Limits.Requests = edge.Limit{Rate: 0.5, Burst: 3} })
			e.Ledger("L1", "SE", customer.NumbersClient)
			tok := e.Token("L1", customer.ScopeRead)
			other := e.Token("L1", customer.ScopeRead)
			path := "/ledger/customer/v1/L1/customers"
			for i := 0; i < 3; i++ {
				want(t, e.Call("GET", path, tok, ""), http.StatusOK)
			}
			res := e.Call("GET", path, tok, "")
			problem(t, res, http.StatusTooManyRequests, customer.ETOOMANYREQUESTS)
			if res.Header.Get("Retry-After") != "2" {
				t.Fatalf("Retry-After %q, want 2 (one request at 0.5/s)", res.Header.Get("Retry-After"))
			}
			// Buckets are per token.
			want(t, e.Call("GET", path, other, ""), http.StatusOK)
			e.Advance(time.Second)
			problem(t, e.Call("GET", path, tok, ""), http.StatusTooManyRequests, customer.ETOOMANYREQUESTS)
			e.Advance(time.Second)
			want(t, e.Call("GET", path, tok, ""), http.StatusOK)
			// A request without a valid token is refused before it costs
			// anything, and is not limited by someone else's bucket.
			problem(t, e.Call("GET", path, "", ""), http.StatusUnauthorized, customer.EUNAUTHORIZED)
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead)
		for _, res := range []*apitest.Response{
			e.Call("GET", "/ledger/customer/v1/L1/customers", tok, ""),
			e.Call("GET", "/ledger/customer/v1/L1/customers", "", ""),
			e.Call("GET", "/nowhere", "", ""),
		} {
			for k, v := range map[string]string{
				"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
				"Cache-Control": "no-store",
			} {
				if res.Header.Get(k) != v {
					t.Errorf("%d answer: %s %q, want %q", res.Status, k, res.Header.Get(k), v)
				}
			}
			if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy %q", res.Header.Get("Content-Security-Policy"))
			}
			if res.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Error("CORS header without CORS configured")
			}
		}
		// Without configured origins a preflight is just an unknown method.
		res := e.Do(apitest.Request{Method: "OPTIONS", Path: "/ledger/customer/v1/L1/customers",
			Header: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}})
		if res.Status < 400 || res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight without CORS: %d %v", res.Status, res.Header)
		}
	})
}

func TestCORS(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.StartWith(t, b, func(c *app.Config) { c.HTTP.CORSOrigins = []string{"https://app.example.com"} })
			e.Ledger("L1", "SE", customer.NumbersClient)
			tok := e.Token("L1", customer.ScopeRead)
			path := "/ledger/customer/v1/L1/customers"
			pre := e.Do(apitest.Request{Method: "OPTIONS", Path: path,
				Header: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}})
			if pre.Status != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
				!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Idempotency-Key") ||
				!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "PATCH") {
				t.Fatalf("preflight: %d %v", pre.Status, pre.Header)
			}
			evil := e.Do(apitest.Request{Method: "OPTIONS", Path: path,
				Header: map[string]string{"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"}})
			if evil.Status < 400 || evil.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("preflight of another origin: %d %v", evil.Status, evil.Header)
			}
			get := e.Do(apitest.Request{Method: "GET", Path: path, Token: tok, Header: map[string]string{"Origin": "https://app.example.com"}})
			want(t, get, http.StatusOK)
			if get.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(get.Header.Get("Access-Control-Expose-Headers"), "ETag") {
				t.Fatalf("GET from the allowed origin: %v", get.Header)
			}
			get = e.Do(apitest.Request{Method: "GET", Path: path, Token: tok, Header: map[string]string{"Origin": "https://evil.example.com"}})
			if get.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatal("another origin was allowed")
			}
		})
	}
}

// TestBodyHygiene: what the idempotency layer reads is held to the same
// limits as every body, and duplicates are refused at any depth.
func TestBodyHygiene(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeWrite)
		path := "/ledger/customer/v1/L1/customers"
		big := `{"name":"` + strings.Repeat("x", 1<<20) + `"}`
		problem(t, idemPost(e, tok, path, "big", big), http.StatusRequestEntityTooLarge, customer.ETOOLARGE)
		problem(t, idemPost(e, tok, path, "utf8", "{\"name\":\"\xc3\x28\"}"), http.StatusBadRequest, customer.EVALIDATION, "body")
		problem(t, e.Call("POST", path, tok, `{"customerNo":"1","name":"N","legalAddress":{"addressee":"A","city":"C","City":"D","zipCode":"11122","countryCode":"SE"}}`),
			http.StatusBadRequest, customer.EVALIDATION, "legalAddress.City")
		// Nothing of the refused bodies was written.
		res := e.Call("GET", path, e.Token("L1", customer.ScopeRead), "")
		if items := res.JSON(t)["items"].([]any); len(items) != 0 {
			t.Fatalf("refused bodies wrote %d customers", len(items))
		}
	})
}
