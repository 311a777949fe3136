package client_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kund/kund/client"
	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

// The seed replays of customers, addresses and find-customer
// (internal/httpapi/seed_test.go), driven through the generated client;
// every exchange is also held to api/openapi.yaml.

func each(t *testing.T, fn func(t *testing.T, e *apitest.Env, c *client.ClientWithResponses)) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.Start(t, b)
			e.Ledger("XXX", "SE", customer.NumbersClient)
			c, err := client.New(e.URL, e.Token("XXX", customer.ScopeRead, customer.ScopeWrite), client.WithDoer(e.HTTPClient()))
			if err != nil {
				t.Fatal(err)
			}
			fn(t, e, c)
		})
	}
}

func ptr[T any](v T) *T { return &v }

var ctx = context.Background()

func seedCustomer() client.CreateCustomerRequest {
	return client.CreateCustomerRequest{
		CustomerNo:         ptr("9999"),
		NationalIdentifier: &client.NationalIdentifierInput{RegNo: "19121212-1212", CountryCode: "SE"},
		VatNo:              ptr("SE101010101001"), LegalEntity: ptr("consumer"), Name: "Britt-Marie Axelstopp",
		EmailAddress: ptr("britt@axelstopp.com"), Msisdn: ptr("+46720000000"),
		EDIAddressInfo: &client.EdiAddressInfoInput{VAN: ptr("ABCXYZ"), InterChangeRecipient: ptr("Recipient_ID1"), BuyerId: "123456"},
		LegalAddress: client.AddressInput{Addressee: "Britt-Marie Axelstopp", StreetAddress: ptr("The street 18"), CoAddress: ptr("c/o Jansson"),
			City: "STOCKHOLM", ZipCode: "15961", CountryCode: "SE"},
		DistributionType: ptr("postal"), TaxIdentificationNumber: ptr("123456789"),
	}
}

func must(t *testing.T, status int, body []byte, err error, want int) {
	t.Helper()
	if err == nil {
		err = client.Check(status, body)
	}
	if err != nil || status != want {
		t.Fatalf("status %d, want %d: %v", status, want, err)
	}
}

func TestCustomerThroughClient(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env, c *client.ClientWithResponses) {
		created, err := c.CreateCustomerWithResponse(ctx, "XXX", nil, seedCustomer())
		must(t, created.StatusCode(), created.Body, err, http.StatusCreated)
		if created.JSON201 == nil || created.JSON201.CustomerNo != "9999" || created.HTTPResponse.Header.Get("Location") != "/ledger/customer/v1/XXX/customers/9999" {
			t.Fatalf("created %s", created.Body)
		}
		got, err := c.GetCustomerWithResponse(ctx, "XXX", "9999", nil)
		must(t, got.StatusCode(), got.Body, err, http.StatusOK)
		cu := got.JSON200
		if cu.Name != "Britt-Marie Axelstopp" || *cu.EmailAddress != "britt@axelstopp.com" || cu.LegalStatus != "active" ||
			cu.NationalIdentifier.RegNo != "19121212-1212" || cu.EDIAddressInfo.BuyerId != "123456" || len(cu.ActiveConsents) != 0 {
			t.Fatalf("customer %s", got.Body)
		}
		if link, err := cu.LegalAddress.AsCustomerLegalAddress0(); err != nil || link != "/ledger/customer/v1/XXX/customers/9999/legal-address" {
			t.Fatalf("legalAddress %v %v", link, err)
		}

		// Expanded, the addresses are objects.
		exp, err := c.GetCustomerWithResponse(ctx, "XXX", "9999", &client.GetCustomerParams{Expand: &client.Expand{"legaladdress"}})
		must(t, exp.StatusCode(), exp.Body, err, http.StatusOK)
		if a, err := exp.JSON200.LegalAddress.AsAddress(); err != nil || a.City != "STOCKHOLM" || *a.CoAddress != "c/o Jansson" {
			t.Fatalf("expanded legalAddress %+v %v", a, err)
		}

		// PATCH with the ETag; a stale ETag is a typed problem.
		etag := client.ETag(got.HTTPResponse.Header)
		patched, err := c.PatchCustomerWithResponse(ctx, "XXX", "9999", &client.PatchCustomerParams{IfMatch: etag},
			client.PatchCustomerRequest{EmailAddress: ptr("bm@axelstopp.se")})
		must(t, patched.StatusCode(), patched.Body, err, http.StatusOK)
		if *patched.JSON200.EmailAddress != "bm@axelstopp.se" {
			t.Fatalf("patched %s", patched.Body)
		}
		stale, err := c.PatchCustomerWithResponse(ctx, "XXX", "9999", &client.PatchCustomerParams{IfMatch: etag},
			client.PatchCustomerRequest{EmailAddress: ptr("x@axelstopp.se")})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Check(stale.StatusCode(), stale.Body); !client.IsProblem(err, "precondition-failed") {
			t.Fatalf("a stale If-Match: %v", err)
		}

		// The same number again, and a bad one: problems naming the field.
		again, _ := c.CreateCustomerWithResponse(ctx, "XXX", nil, seedCustomer())
		if err := client.Check(again.StatusCode(), again.Body); !client.IsProblem(err, customer.ECUSTOMEREXISTS) {
			t.Fatalf("the same number again: %v", err)
		}
		bad := seedCustomer()
		bad.CustomerNo, bad.NationalIdentifier.RegNo = ptr("1"), "19121212-1213"
		refused, _ := c.CreateCustomerWithResponse(ctx, "XXX", nil, bad)
		err = client.Check(refused.StatusCode(), refused.Body)
		var p *client.Problem
		if !client.IsProblem(err, customer.EVALIDATION) || !errorsAs(err, &p) || p.StatusCode != 400 ||
			!slices.ContainsFunc(p.Problems, func(m map[string]string) bool { _, ok := m["nationalIdentifier.regNo"]; return ok }) {
			t.Fatalf("a bad regNo: %v", err)
		}
	})
}

func TestAddressesThroughClient(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env, c *client.ClientWithResponses) {
		created, err := c.CreateCustomerWithResponse(ctx, "XXX", nil, seedCustomer())
		must(t, created.StatusCode(), created.Body, err, http.StatusCreated)
		kalle := client.AddressInput{Addressee: "Kalle Axelstopp", StreetAddress: ptr("Axelgatan 18"), City: "STOCKHOLM", ZipCode: "16872", CountryCode: "SE"}

		legal, err := c.PutLegalAddressWithResponse(ctx, "XXX", "9999", nil, kalle)
		must(t, legal.StatusCode(), legal.Body, err, http.StatusOK)
		read, err := c.GetLegalAddressWithResponse(ctx, "XXX", "9999", nil)
		must(t, read.StatusCode(), read.Body, err, http.StatusOK)
		if read.JSON200.Addressee != "Kalle Axelstopp" || read.JSON200.CoAddress != nil || read.JSON200.ZipCode != "16872" {
			t.Fatalf("legal address %s", read.Body)
		}

		none, _ := c.GetBillingAddressWithResponse(ctx, "XXX", "9999", nil)
		if err := client.Check(none.StatusCode(), none.Body); !client.IsProblem(err, customer.EBILLINGNOTFOUND) {
			t.Fatalf("no billing address: %v", err)
		}
		added, err := c.AddBillingAddressWithResponse(ctx, "XXX", "9999", nil, kalle)
		must(t, added.StatusCode(), added.Body, err, http.StatusCreated)
		twice, _ := c.AddBillingAddressWithResponse(ctx, "XXX", "9999", nil, kalle)
		if err := client.Check(twice.StatusCode(), twice.Body); !client.IsProblem(err, customer.EBILLINGEXISTS) {
			t.Fatalf("a second billing address: %v", err)
		}
		kalle.StreetAddress, kalle.CoAddress = ptr("Axelgatan 19"), ptr("c/o Jansson")
		put, err := c.PutBillingAddressWithResponse(ctx, "XXX", "9999", nil, kalle)
		must(t, put.StatusCode(), put.Body, err, http.StatusOK)
		if *put.JSON200.StreetAddress != "Axelgatan 19" || *put.JSON200.CoAddress != "c/o Jansson" {
			t.Fatalf("billing address %s", put.Body)
		}
		deleted, err := c.DeleteBillingAddressWithResponse(ctx, "XXX", "9999", nil, client.DeleteBillingAddressJSONRequestBody{})
		must(t, deleted.StatusCode(), deleted.Body, err, http.StatusNoContent)
		gone, _ := c.GetBillingAddressWithResponse(ctx, "XXX", "9999", nil)
		if err := client.Check(gone.StatusCode(), gone.Body); !client.IsProblem(err, customer.EBILLINGNOTFOUND) {
			t.Fatalf("after DELETE: %v", err)
		}
	})
}

func TestFindThroughClient(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env, c *client.ClientWithResponses) {
		find := client.FindCustomerRequest{NationalIdentifier: client.NationalIdentifierInput{RegNo: "19121212-1212", CountryCode: "SE"}}
		missing, _ := c.FindCustomerWithResponse(ctx, "XXX", nil, find)
		if err := client.Check(missing.StatusCode(), missing.Body); !client.IsProblem(err, customer.ECUSTOMERNOTFOUND) {
			t.Fatalf("nobody: %v", err)
		}
		created, err := c.CreateCustomerWithResponse(ctx, "XXX", nil, seedCustomer())
		must(t, created.StatusCode(), created.Body, err, http.StatusCreated)
		for _, regNo := range []string{"19121212-1212", "191212121212", "121212+1212"} {
			find.NationalIdentifier.RegNo = regNo
			found, err := c.FindCustomerWithResponse(ctx, "XXX", nil, find)
			must(t, found.StatusCode(), found.Body, err, http.StatusOK)
			if found.JSON200.CustomerNo != "9999" {
				t.Fatalf("found %s", found.Body)
			}
		}
		second := seedCustomer()
		second.CustomerNo = ptr("10000")
		created, err = c.CreateCustomerWithResponse(ctx, "XXX", nil, second)
		must(t, created.StatusCode(), created.Body, err, http.StatusCreated)
		two, _ := c.FindCustomerWithResponse(ctx, "XXX", nil, find)
		if err := client.Check(two.StatusCode(), two.Body); !client.IsProblem(err, customer.EAMBIGUOUS) {
			t.Fatalf("two with one number: %v", err)
		}
	})
}

// flaky answers 503 (Retry-After: 0) to the first request it sees, and
// records the Idempotency-Key of every request.
type flaky struct {
	next  client.HttpRequestDoer
	calls atomic.Int32
	keys  []string
}

func (f *flaky) Do(req *http.Request) (*http.Response, error) {
	f.keys = append(f.keys, req.Header.Get("Idempotency-Key"))
	if f.calls.Add(1) == 1 {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"0"}},
			Body: http.NoBody, Request: req}, nil
	}
	return f.next.Do(req)
}

// TestClientRetries: a POST answered 503 is sent again with the same
// Idempotency-Key, and writes once.
func TestClientRetries(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	e.Ledger("XXX", "SE", customer.NumbersClient)
	f := &flaky{next: e.HTTPClient()}
	c, err := client.New(e.URL, e.Token("XXX", customer.ScopeWrite), client.WithDoer(f), client.WithRetries(2, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateCustomerWithResponse(ctx, "XXX", nil, seedCustomer())
	must(t, created.StatusCode(), created.Body, err, http.StatusCreated)
	if len(f.keys) != 2 || f.keys[0] == "" || f.keys[0] != f.keys[1] {
		t.Fatalf("Idempotency-Keys sent: %q", f.keys)
	}
}

func errorsAs(err error, p **client.Problem) bool { return errors.As(err, p) }
