package riverty_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/compat/riverty"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
	"github.com/kund/kund/internal/register/registertest"
)

// TestIdempotencyKey: the lookup takes an Idempotency-Key with the native
// API's semantics; a customer it creates is kept with its 201, so a retry
// gets that 201 again (not the 200 of a second lookup) and no second
// customer. Errors are Riverty's.
func TestIdempotencyKey(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := start(t, b)
			e.Ledger("4711", "SE", customer.NumbersGenerated)
			reg := e.Token("4711", customer.ScopeWrite, customer.ScopeRegister)
			path := "/v1/clients/4711/lookup/customer"
			body := `{"lookupField":"IdentificationNumber","lookupValue":"19811218-9876"}`
			post := func(key, body string) *apitest.Response {
				return e.Do(apitest.Request{Method: "POST", Path: path, Token: reg, Body: body, Header: map[string]string{"Idempotency-Key": key}})
			}

			first := post("k-1", body)
			if first.Status != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("create from register: %d %v %s", first.Status, first.Header, first.Body)
			}
			again := post("k-1", body)
			if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) ||
				again.Header.Get("Location") != first.Header.Get("Location") || again.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("replay differs:\n%v %s\n%v %s", first.Header, first.Body, again.Header, again.Body)
			}
			// Without the key the same lookup finds the one customer: 200.
			if res := e.Call("POST", path, reg, body); res.Status != http.StatusOK || res.JSON(t)["customerNumber"] != first.JSON(t)["customerNumber"] {
				t.Fatalf("lookup after the create: %d %s", res.Status, res.Body)
			}
			found, err := e.Kund.Service.CustomersByNationalID(context.Background(), "4711", customer.NationalID{RegNo: "19811218-9876", CountryCode: "SE"})
			if err != nil || len(found) != 1 {
				t.Fatalf("customers of the person: %d, %v", len(found), err)
			}

			// A found customer (200) is replayed as well.
			f1 := post("k-2", `{"lookupField":"PhoneNumber","lookupValue":"+46701112233"}`)
			f2 := post("k-2", `{"lookupField":"PhoneNumber","lookupValue":"+46701112233"}`)
			if f1.Status != http.StatusOK || f2.Header.Get("Idempotent-Replayed") != "true" || string(f1.Body) != string(f2.Body) {
				t.Fatalf("found and replayed: %d %s / %d %v %s", f1.Status, f1.Body, f2.Status, f2.Header, f2.Body)
			}

			// The same key with another body is 422, in Riverty's format.
			res := post("k-1", `{"lookupField":"PhoneNumber","lookupValue":"+46701112233"}`)
			errBody(t, res, http.StatusUnprocessableEntity, "BusinessError")
			if !strings.HasSuffix(res.JSON(t)["type"].(string), "idempotency-key-reuse") {
				t.Fatalf("reuse: %s", res.Body)
			}
			// A malformed key names the header.
			res = post(strings.Repeat("k", 256), body)
			errBody(t, res, http.StatusBadRequest, "BusinessError")
			if !strings.Contains(string(res.Body), "Idempotency-Key") {
				t.Fatalf("bad key: %s", res.Body)
			}
			// A request that failed wrote nothing and frees its key.
			errBody(t, post("k-3", `{"lookupField":"IdentificationNumber","lookupValue":"19900101-2385"}`), http.StatusNotFound, "BusinessError")
			if res := post("k-3", `{"lookupField":"PhoneNumber","lookupValue":"+46701112233"}`); res.Status != http.StatusOK {
				t.Fatalf("the key of a failed request is free again: %d %s", res.Status, res.Body)
			}
			// A retry while the first request still runs is 409.
			sum := sha256.Sum256([]byte("POST " + path + "?\n" + body))
			if _, _, err := e.Kund.Service.BeginIdempotent(context.Background(), customer.Caller{LedgerNo: "4711", TokenID: apitest.TokenID(reg)}, "busy", hex.EncodeToString(sum[:])); err != nil {
				t.Fatal(err)
			}
			res = post("busy", body)
			errBody(t, res, http.StatusConflict, "TechnicalError")
		})
	}
}

// TestIdempotencyTakeOver proves that the created customer and its stored
// 201 are one transaction: a request whose key is taken over by a retry
// (after the 30 s lease) while it waits for the register cannot create the
// customer, so the two requests make exactly one customer, one 201 and one
// 409, whichever reaches the database first.
func TestIdempotencyTakeOver(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			srv := registertest.Start(t, registertest.Person{Country: "SE", RegNo: "19811218-9876", FirstName: "Anna Maria", LastName: "Svensson",
				StreetAddress: "Storgatan 1", ZipCode: "11122", City: "Stockholm"})
			h, err := register.NewHTTP(srv.URL, register.HTTPOptions{Timeout: 20 * time.Second, Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			e := apitest.StartWith(t, b, func(c *app.Config) { c.Register = h })
			e.Ledger("4711", "SE", customer.NumbersGenerated)
			reg := e.Token("4711", customer.ScopeWrite, customer.ScopeRegister)
			body := `{"lookupField":"IdentificationNumber","lookupValue":"19811218-9876"}`
			srv.Delay(time.Second)
			answers := make(chan *apitest.Response, 2)
			post := func() {
				answers <- e.Do(apitest.Request{Method: "POST", Path: "/v1/clients/4711/lookup/customer", Token: reg, Body: body,
					Header: map[string]string{"Idempotency-Key": "slow"}})
			}
			waitHits := func(n int) {
				deadline := time.Now().Add(15 * time.Second)
				for srv.Hits() < n {
					if time.Now().After(deadline) {
						t.Fatalf("the register got %d lookups, want %d", srv.Hits(), n)
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			go post()
			waitHits(1) // the first request holds the key and waits for the register
			e.Advance(customer.IdempotencyLease + time.Second)
			go post()
			waitHits(2) // the retry took the key over and waits too
			statuses := map[int]int{}
			for range 2 {
				res := <-answers
				statuses[res.Status]++
				if res.Status == http.StatusConflict {
					errBody(t, res, http.StatusConflict, "TechnicalError")
				}
			}
			if statuses[http.StatusCreated] != 1 || statuses[http.StatusConflict] != 1 {
				t.Fatalf("answers %v, want one 201 and one 409", statuses)
			}
			found, err := e.Kund.Service.CustomersByNationalID(context.Background(), "4711", customer.NationalID{RegNo: "19811218-9876", CountryCode: "SE"})
			if err != nil || len(found) != 1 {
				t.Fatalf("customers of the person: %d, %v", len(found), err)
			}
		})
	}
}

// TestLostAnswer: a lookup that created its customer, whose process died
// between the commit and storing the answer, is answered on a retry with
// the 201 of the customer it created, and creates no second one.
func TestLostAnswer(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := start(t, b)
			e.Ledger("4711", "SE", customer.NumbersGenerated)
			reg := e.Token("4711", customer.ScopeWrite, customer.ScopeRegister)
			path := "/v1/clients/4711/lookup/customer"
			body := `{"lookupField":"IdentificationNumber","lookupValue":"19811218-9876"}`
			sum := sha256.Sum256([]byte("POST " + path + "?\n" + body))
			caller := customer.Caller{LedgerNo: "4711", TokenID: apitest.TokenID(reg), Scopes: []customer.Scope{customer.ScopeWrite, customer.ScopeRegister}}
			claim, _, err := e.Kund.Service.BeginIdempotent(context.Background(), caller, "lost", hex.EncodeToString(sum[:]))
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.Kund.Register.Identify(context.Background(), e.Kund.Service, caller,
				register.Question{Purpose: riverty.Purpose, Country: "SE", RegNo: "19811218-9876", Register: true, Create: true}, customer.Completing(claim))
			if err != nil || !a.Created {
				t.Fatalf("create: %+v %v", a, err)
			}
			res := e.Do(apitest.Request{Method: "POST", Path: path, Token: reg, Body: body, Header: map[string]string{"Idempotency-Key": "lost"}})
			if res.Status != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "true" ||
				res.Header.Get("Location") != "/v1/clients/4711/customers/"+a.Customer.No || res.JSON(t)["customerNumber"] != a.Customer.No {
				t.Fatalf("the retry: %d %v %s", res.Status, res.Header, res.Body)
			}
			if cs, _ := e.Kund.Service.CustomersByNationalID(context.Background(), "4711", customer.NationalID{RegNo: "19811218-9876", CountryCode: "SE"}); len(cs) != 1 {
				t.Fatalf("%d customers of the person, want 1", len(cs))
			}
		})
	}
}
