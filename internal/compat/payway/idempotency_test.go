package payway_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/customer"
)

// TestTokenIgnoresIdempotencyKey: the token endpoint never keeps its
// answer (a live token) for a retry; each request with the same key gets
// its own working token, and the key stays unused.
func TestTokenIgnoresIdempotencyKey(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.Start(t, b)
			e.Ledger("L1", "SE", customer.NumbersClient)
			id, secret, err := payway.CreateClient(context.Background(), e.Kund.Service, e.Store, "L1", []string{payway.ScopeAccountRead})
			if err != nil {
				t.Fatal(err)
			}
			form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"none"}, "scope": {payway.ScopeAccountRead}}.Encode()
			var tokens []string
			for range 2 {
				res := e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form,
					Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": "t-1"}})
				if res.Status != http.StatusOK || res.Header.Get("Idempotent-Replayed") != "" {
					t.Fatalf("token: %d %v %s", res.Status, res.Header, res.Body)
				}
				tokens = append(tokens, res.JSON(t)["access_token"].(string))
			}
			if tokens[0] == tokens[1] {
				t.Fatal("a retry got the stored token back")
			}
			for _, tok := range tokens {
				res := e.Call("GET", "/external/api/v1/accounts/candidate?customer_number=1", tok, "")
				if res.Status != http.StatusNotFound {
					t.Fatalf("token %d does not work: %d %s", len(tok), res.Status, res.Body)
				}
			}
			// Nothing was stored under the key: a native request may claim it.
			claim, replay, err := e.Kund.Service.BeginIdempotent(context.Background(), customer.Caller{LedgerNo: "L1"}, "t-1", "another request")
			if err != nil || claim == nil || replay != nil {
				t.Fatalf("the key was kept: %v %v %v", claim, replay, err)
			}
		})
	}
}
