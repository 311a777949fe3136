package httpapi_test

import (
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
	"github.com/kund/kund/internal/register/registertest"
)

var brittRemote = registertest.Person{Country: "SE", RegNo: "19811218-9876", FirstName: "Britt-Marie", LastName: "Axelstopp",
	CoAddress: "c/o Jansson", StreetAddress: "The street 18", ZipCode: "15961", City: "STOCKHOLM"}

// startHTTPRegister runs Kund with an HTTP register (cached for ttl when
// it is not 0) pointed at a test register on 127.0.0.1.
func startHTTPRegister(t *testing.T, o register.HTTPOptions, ttl time.Duration) (*apitest.Env, *registertest.Server, string) {
	t.Helper()
	srv := registertest.Start(t, brittRemote)
	h, err := register.NewHTTP(srv.URL, o)
	if err != nil {
		t.Fatal(err)
	}
	var p register.Provider = h
	if ttl > 0 {
		p = register.NewCache(h, ttl, 0, nil)
	}
	e := apitest.StartWith(t, apitest.SQLite, func(c *app.Config) { c.Register = p })
	e.Ledger("XXX", "SE", customer.NumbersClient)
	return e, srv, e.Token("XXX", customer.ScopeRegister, customer.ScopeRead)
}

func TestHTTPRegisterCachedSecondLookup(t *testing.T) {
	e, srv, tok := startHTTPRegister(t, register.HTTPOptions{}, time.Minute)
	want(t, e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "1")), 201)
	want(t, e.Call("POST", generatePath, tok, generateBody("198112189876", "SE", "2")), 201)
	if srv.Hits() != 1 {
		t.Fatalf("the register was asked %d times, want once", srv.Hits())
	}
	res := e.Call("GET", "/ledger/customer/v1/XXX/customers/2/legal-address", tok, "")
	if res.JSON(t)["streetAddress"] != "The street 18" {
		t.Fatalf("%s", res.Body)
	}
	// Both lookups are in the disclosure log, cached or not.
	res = e.Call("GET", "/ledger/customer/v1/XXX/register-lookups", tok, "")
	if items := res.JSON(t)["items"].([]any); len(items) != 2 {
		t.Fatalf("%s", res.Body)
	}
}

func TestHTTPRegisterDown(t *testing.T) {
	e, srv, tok := startHTTPRegister(t, register.HTTPOptions{Backoff: time.Millisecond}, time.Minute)
	srv.Stop()
	res := e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "1"))
	problem(t, res, 503, "population-register-unavailable")
	problem(t, e.Call("GET", "/ledger/customer/v1/XXX/customers/1", tok, ""), 404, "customer-not-found")
	res = e.Call("GET", "/ledger/customer/v1/XXX/register-lookups", tok, "")
	items := res.JSON(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["outcome"] != "unavailable" {
		t.Fatalf("%s", res.Body)
	}
}

func TestHTTPRegisterSlow(t *testing.T) {
	e, srv, tok := startHTTPRegister(t, register.HTTPOptions{Timeout: 200 * time.Millisecond}, 0)
	want(t, e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "1")), 201)

	// The person moves, but the register has become slow: the update gives
	// up, and the address stays as it was.
	moved := brittRemote
	moved.StreetAddress, moved.CoAddress, moved.ZipCode, moved.City = "Vasagatan 3", "", "41101", "GÖTEBORG"
	srv.Set(moved)
	srv.Delay(10 * time.Second)
	problem(t, e.Call("POST", "/ledger/customer/v1/XXX/customers/1/legal-address", tok, ""), 503, "population-register-unavailable")
	problem(t, e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "2")), 503, "population-register-unavailable")
	res := e.Call("GET", "/ledger/customer/v1/XXX/customers/1/legal-address", tok, "")
	if res.JSON(t)["streetAddress"] != "The street 18" {
		t.Fatalf("a failed update changed the address: %s", res.Body)
	}
	problem(t, e.Call("GET", "/ledger/customer/v1/XXX/customers/2", tok, ""), 404, "customer-not-found")

	// The register is quick again: the move arrives.
	srv.Delay(0)
	res = e.Call("POST", "/ledger/customer/v1/XXX/customers/1/legal-address", tok, "")
	want(t, res, 200)
	if res.JSON(t)["streetAddress"] != "Vasagatan 3" {
		t.Fatalf("%s", res.Body)
	}
}
