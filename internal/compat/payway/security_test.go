package payway_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// TestAccessTokensOpenOnlyPayway: the attack review listed every customer
// of the ledger, protected ones with their personal numbers, with the
// token of Payway's token endpoint. It is a credential of its own kind now,
// refused by every other API.
func TestAccessTokensOpenOnlyPayway(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.Start(t, b)
			e.Ledger("L1", "SE", customer.NumbersClient)
			write := e.Token("L1", customer.ScopeWrite)
			for _, body := range []string{customerBody("4711", "196208179256", false), customerBody("4712", "191212121212", true)} {
				if res := e.Call("POST", "/ledger/customer/v1/L1/customers", write, body); res.Status != http.StatusCreated {
					t.Fatalf("create: %d %s", res.Status, res.Body)
				}
			}
			id, secret, err := payway.CreateClient(context.Background(), e.Kund.Service, e.Store, "L1", []string{payway.ScopeAccountRead})
			if err != nil {
				t.Fatal(err)
			}
			tok := token(t, e, id, secret).JSON(t)["access_token"].(string)
			if res := e.Call("GET", "/external/api/v1/accounts/candidate?customer_number=4711", tok, ""); res.Status != http.StatusOK {
				t.Fatalf("the candidate lookup: %d %s", res.Status, res.Body)
			}
			// Protected persons are not found through Payway either.
			apiError(t, e.Call("GET", "/external/api/v1/accounts/candidate?customer_number=4712", tok, ""), 404, "not_found", "")
			for _, req := range []apitest.Request{
				{Method: "GET", Path: "/ledger/customer/v1/L1/customers"},
				{Method: "GET", Path: "/ledger/customer/v1/L1/customers/4712"},
				{Method: "POST", Path: "/ledger/customer/v1/L1/find-customer", Body: `{"nationalIdentifier":{"regNo":"191212121212","countryCode":"SE"}}`},
				{Method: "POST", Path: "/v1/clients/L1/lookup/customer", Body: `{"lookupField":"IdentificationNumber","lookupValue":"19121212-1212"}`},
				{Method: "GET", Path: "/api/v1/connect/customers/details/CSRT0000000001"},
			} {
				req.Token = tok
				res := e.Do(req)
				if res.Status != http.StatusUnauthorized || strings.Contains(string(res.Body), "1212") {
					t.Fatalf("%s %s with a Payway token: %d %s", req.Method, req.Path, res.Status, res.Body)
				}
			}
		})
	}
}

// TestTokenEndpointLimits: minting is limited per client (the review made
// 1,648 tokens in 2 s), wrong secrets are slowed by the failed
// authentications of the client's address (2,353 tries a second), and
// expired tokens are swept.
func TestTokenEndpointLimits(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.StartWith(t, b, func(c *app.Config) { c.HTTP.Limits = edge.DefaultLimits() })
			e.Ledger("L1", "SE", customer.NumbersClient)
			id, secret, err := payway.CreateClient(context.Background(), e.Kund.Service, e.Store, "L1", []string{payway.ScopeAccountRead})
			if err != nil {
				t.Fatal(err)
			}
			for i := range payway.MintLimit.Burst {
				if res := token(t, e, id, secret); res.Status != http.StatusOK {
					t.Fatalf("token %d: %d %s", i+1, res.Status, res.Body)
				}
			}
			res := token(t, e, id, secret)
			apiError(t, res, http.StatusTooManyRequests, "too_many_requests", "")
			if res.Header.Get("Retry-After") != "6" {
				t.Fatalf("Retry-After %q, want 6 (a token every 6 s)", res.Header.Get("Retry-After"))
			}
			e.Advance(6 * time.Second)
			if res := token(t, e, id, secret); res.Status != http.StatusOK {
				t.Fatalf("after the wait: %d %s", res.Status, res.Body)
			}

			// Wrong secrets: the address's 20 failures, then 429 for
			// everything from it, the right secret too, a second a try.
			limit := edge.DefaultLimits().Failures
			for range limit.Burst {
				apiError(t, token(t, e, id, "wrong"), http.StatusUnauthorized, "invalid_client", "")
			}
			apiError(t, token(t, e, id, "wrong"), http.StatusTooManyRequests, "too_many_requests", "")
			apiError(t, token(t, e, id, secret), http.StatusTooManyRequests, "too_many_requests", "")
			apiError(t, e.Call("GET", "/external/api/v1/accounts/candidate?customer_number=1", "kund.0000000000000000.nope", ""), http.StatusTooManyRequests, "too_many_requests", "")
			e.Advance(time.Second)
			apiError(t, token(t, e, id, "wrong"), http.StatusUnauthorized, "invalid_client", "")
			apiError(t, token(t, e, id, "wrong"), http.StatusTooManyRequests, "too_many_requests", "")

			// The tokens minted expire in an hour and are then swept.
			minted := int64(payway.MintLimit.Burst + 1)
			if s, err := e.Store.Sweep(context.Background(), e.Now, 0); err != nil || s.Tokens != 0 {
				t.Fatalf("swept %+v, %v before any token expired", s, err)
			}
			e.Advance(payway.TokenTTL + time.Minute)
			if s, err := e.Store.Sweep(context.Background(), e.Now, 0); err != nil || s.Tokens != minted {
				t.Fatalf("swept %+v, %v; want the %d expired tokens", s, err, minted)
			}
		})
	}
}

// TestSeveralScopes: an integration that asks for several scopes at once
// gets those its client holds, and the answer says which.
func TestSeveralScopes(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	e.Ledger("L1", "SE", customer.NumbersClient)
	id, secret, err := payway.CreateClient(context.Background(), e.Kund.Service, e.Store, "L1", []string{payway.ScopeAccountRead})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"none"}, "scope": {"/external/account/r /external/account/w"}}
	res := e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	if res.Status != http.StatusOK || res.JSON(t)["scope"] != payway.ScopeAccountRead {
		t.Fatalf("several scopes: %d %s", res.Status, res.Body)
	}
	form.Set("scope", "/external/account/w")
	res = e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	apiError(t, res, http.StatusForbidden, "invalid_scope", "scope")
}
