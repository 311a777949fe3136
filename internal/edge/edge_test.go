package edge_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/register"
)

// TestErrorTables walks every domain error code through every API's one
// table: none may answer a 5xx but for an internal error, and each API
// writes the status its table says.
func TestErrorTables(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	apis := e.Kund.Handler.(interface{ Edge() *edge.Edge }).Edge().APIs()
	names := map[string]bool{}
	for _, api := range apis {
		names[api.Name] = true
		for _, code := range customer.Codes() {
			status := api.Status(code)
			if code != customer.EINTERNAL && status >= 500 && status != http.StatusServiceUnavailable {
				t.Errorf("%s answers %s with %d", api.Name, code, status)
			}
			rec := httptest.NewRecorder()
			api.WriteError(rec, httptest.NewRequest("GET", "/", nil), customer.Errorf(code, "A message."))
			if rec.Code != status {
				t.Errorf("%s writes %s as %d, its table says %d: %s", api.Name, code, rec.Code, status, rec.Body)
			}
		}
		if api.Status("no-such-code") < 500 {
			t.Errorf("%s answers an unknown code below 500", api.Name)
		}
	}
	for _, want := range []string{"native", "worldline", "riverty", "payway", "frontpayment"} {
		if !names[want] {
			t.Errorf("API %s is not mounted on the edge", want)
		}
	}
}

// env is a Kund with a customer, a register, and a credential of every
// kind for ledger L1.
type env struct {
	*apitest.Env
	token, payway, wlKey, wlSecret, session, customerID string
}

func start(t *testing.T, b apitest.Backend, limits edge.Limits) *env {
	path := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(path, []byte(`country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone
SE,19800101-2387,Gustav,Adolfs,,Gustav Adolfs torg 22,11152,Stockholm,false,false,+46701234567
`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := register.OpenFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{Env: apitest.StartWith(t, b, func(c *app.Config) { c.Register = f; c.HTTP.Limits = limits })}
	ctx := context.Background()
	e.Ledger("L1", "SE", customer.NumbersClient)
	quota := 1000
	if _, err := e.Kund.Service.UpdateLedger(ctx, "L1", customer.LedgerOptions{SessionLookups: &quota}); err != nil {
		t.Fatal(err)
	}
	e.token = e.Token("L1", customer.ScopeWrite, customer.ScopeRegister)
	if _, err := e.Kund.Service.CreateCustomer(ctx, "L1", &customer.NewCustomer{CustomerNo: "1", Name: "Britt Axelstopp", LegalEntity: customer.Consumer,
		NationalID:   &customer.NationalIDInput{RegNo: "19811218-9876", CountryCode: "SE"},
		LegalAddress: &customer.AddressInput{Addressee: "Britt Axelstopp", StreetAddress: "Gatan 1", City: "STOCKHOLM", ZipCode: "11122", CountryCode: "SE"}}); err != nil {
		t.Fatal(err)
	}
	id, secret, err := payway.CreateClient(ctx, e.Kund.Service, e.Store, "L1", []string{payway.ScopeAccountRead})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"none"}, "scope": {payway.ScopeAccountRead}}
	e.payway = e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).JSON(t)["access_token"].(string)
	k, err := worldline.CreateKey(ctx, e.Kund.Service, e.Store, "L1")
	if err != nil {
		t.Fatal(err)
	}
	e.wlKey, e.wlSecret = k.ID, k.Secret
	s := e.signed("/v1/L1/sessions", `{}`).JSON(t)
	e.session, e.customerID = s["clientSessionId"].(string), s["customerId"].(string)
	return e
}

// signed is a Worldline server API request, each signed a second after the
// one before (a signature is accepted once).
func (e *env) signed(path, body string) *apitest.Response {
	e.Advance(time.Second)
	d := e.Now.UTC().Format(http.TimeFormat)
	return e.Do(apitest.Request{Method: "POST", Path: path, Body: body, Header: map[string]string{
		"Content-Type": "application/json", "Date": d,
		"Authorization": "GCS v1HMAC:" + e.wlKey + ":" + worldline.Signature(e.wlSecret, "POST", "application/json", d, map[string]string{}, path)}})
}

// lookups are a lookup route of every API, each asking about regNo (a
// Swedish personal number) with the API's own credential; other is
// another credential of the same ledger where the API has one.
func (e *env) lookups() []struct {
	name string
	do   func(regNo string, other bool) *apitest.Response
} {
	// Each API gets tokens of its own: a limit is the credential's, on
	// every API.
	bearer := func(method, path, body string) func(string, bool) *apitest.Response {
		tok, tok2 := e.Token("L1", customer.ScopeWrite, customer.ScopeRegister), e.Token("L1", customer.ScopeWrite, customer.ScopeRegister)
		return func(regNo string, other bool) *apitest.Response {
			if other {
				tok = tok2
			}
			p := strings.ReplaceAll(path, "REGNO", regNo)
			return e.Do(apitest.Request{Method: method, Path: p, Token: tok, Body: strings.ReplaceAll(body, "REGNO", regNo)})
		}
	}
	details := `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"REGNO"}]}`
	return []struct {
		name string
		do   func(regNo string, other bool) *apitest.Response
	}{
		{"native find-customer", bearer("POST", "/ledger/customer/v1/L1/find-customer", `{"nationalIdentifier":{"regNo":"REGNO","countryCode":"SE"}}`)},
		{"riverty", bearer("POST", "/v1/clients/L1/lookup/customer", `{"lookupField":"IdentificationNumber","lookupValue":"REGNO"}`)},
		{"frontpayment", bearer("GET", "/api/v1/connect/customers/details/REGNO", "")},
		{"payway", func(regNo string, _ bool) *apitest.Response {
			return e.Call("GET", "/external/api/v1/accounts/candidate?social_security_number="+regNo[2:], e.payway, "")
		}},
		{"worldline server", func(regNo string, _ bool) *apitest.Response {
			return e.signed("/v1/L1/products/9000/customerDetails", strings.ReplaceAll(details, "REGNO", regNo))
		}},
		{"worldline client", func(regNo string, _ bool) *apitest.Response {
			return e.Do(apitest.Request{Method: "POST", Path: "/client/v1/" + e.customerID + "/products/9000/customerDetails",
				Body: strings.ReplaceAll(details, "REGNO", regNo), Header: map[string]string{"Authorization": "GCS v1Client:" + e.session}})
		}},
	}
}

// TestEveryAPIIsRateLimited: with a limit per credential, every API
// answers 429, in its own format and with Retry-After, once a credential
// made its burst; the attack review got thousands of 200s through the
// dialects while the native API said 429.
func TestEveryAPIIsRateLimited(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			for _, name := range []string{"native find-customer", "riverty", "frontpayment", "payway", "worldline server", "worldline client"} {
				t.Run(name, func(t *testing.T) {
					e := start(t, b, edge.Limits{Requests: edge.Limit{Rate: 0.01, Burst: 3}})
					var lookup func(string, bool) *apitest.Response
					for _, x := range e.lookups() {
						if x.name == name {
							lookup = x.do
						}
					}
					// Setting up may have spent a request of the credential
					// (a Worldline key made the session).
					if res := lookup("19811218-9876", false); res.Status == http.StatusTooManyRequests {
						t.Fatalf("the first request: 429 %s", res.Body)
					}
					var res *apitest.Response
					for range 3 {
						if res = lookup("19811218-9876", false); res.Status == http.StatusTooManyRequests {
							break
						}
					}
					if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
						t.Fatalf("after the burst: %d %v %s", res.Status, res.Header, res.Body)
					}
				})
			}
		})
	}
}

// TestLookupLimits: the lookup units of one credential, a hit costing one
// and a miss three, on every lookup route; another credential of the
// ledger has units of its own.
func TestLookupLimits(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := start(t, b, edge.Limits{Lookups: edge.Limit{Rate: 0.001, Burst: 6}})
			for _, l := range e.lookups() {
				// Two misses spend the six units.
				for i, regNo := range []string{"19900101-2385", "19900101-2385"} {
					if res := l.do(regNo, false); res.Status == http.StatusTooManyRequests || res.Status < 400 {
						t.Fatalf("%s: miss %d: %d %s", l.name, i+1, res.Status, res.Body)
					}
				}
				if res := l.do("19811218-9876", false); res.Status != http.StatusTooManyRequests {
					t.Fatalf("%s: after two misses: %d %s", l.name, res.Status, res.Body)
				}
			}
			// Six hits fit in the units of a fresh credential.
			find := e.lookups()[0].do
			for i := range 6 {
				if res := find("19811218-9876", true); res.Status != http.StatusOK {
					t.Fatalf("hit %d of another token: %d %s", i+1, res.Status, res.Body)
				}
			}
			if res := find("19811218-9876", true); res.Status != http.StatusTooManyRequests {
				t.Fatalf("a seventh hit: %d %s", res.Status, res.Body)
			}
		})
	}
}

// TestFailedAuthentications: an address that keeps sending bad credentials
// is refused for a while, whatever it sends; another address is not.
func TestFailedAuthentications(t *testing.T) {
	e := start(t, apitest.SQLite, edge.Limits{Failures: edge.Limit{Rate: 0.5, Burst: 5}})
	path := "/ledger/customer/v1/L1/customers/1"
	for i := range 5 {
		if res := e.Call("GET", path, "kund.0000000000000000."+strings.Repeat("x", 43), ""); res.Status != http.StatusUnauthorized {
			t.Fatalf("bad token %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	res := e.Call("GET", path, e.token, "")
	if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "2" {
		t.Fatalf("the good token from a blocked address: %d %v %s", res.Status, res.Header, res.Body)
	}
	e.Advance(2 * time.Second)
	if res := e.Call("GET", path, e.token, ""); res.Status != http.StatusOK {
		t.Fatalf("after the wait: %d %s", res.Status, res.Body)
	}
	// A good request costs nothing of the failure budget.
	for range 10 {
		if res := e.Call("GET", path, e.token, ""); res.Status != http.StatusOK {
			t.Fatalf("good requests: %d %s", res.Status, res.Body)
		}
	}
}

// TestTokenOwnLimit: a token created with its own rate limit is held to it
// while other tokens are not limited.
func TestTokenOwnLimit(t *testing.T) {
	e := start(t, apitest.SQLite, edge.Limits{})
	tok, err := e.Kund.CreateLimitedToken(context.Background(), "L1", []customer.Scope{customer.ScopeRead}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	path := "/ledger/customer/v1/L1/customers/1"
	for i := range 2 {
		if res := e.Call("GET", path, tok, ""); res.Status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	if res := e.Call("GET", path, tok, ""); res.Status != http.StatusTooManyRequests {
		t.Fatalf("over its own limit: %d %s", res.Status, res.Body)
	}
	for range 50 {
		if res := e.Call("GET", path, e.token, ""); res.Status != http.StatusOK {
			t.Fatalf("a token without a limit: %d %s", res.Status, res.Body)
		}
	}
	e.Advance(time.Second)
	if res := e.Call("GET", path, tok, ""); res.Status != http.StatusOK {
		t.Fatalf("after a second: %d %s", res.Status, res.Body)
	}
}

// TestMetadataStaysNative: no dialect's wire format has a place for a
// customer's metadata, so no dialect shows it.
func TestMetadataStaysNative(t *testing.T) {
	e := start(t, apitest.SQLite, edge.Limits{})
	if res := e.Call("PATCH", "/ledger/customer/v1/L1/customers/1", e.token, `{"metadata":{"crm":"X-99-secret"}}`); res.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", res.Status, res.Body)
	}
	c, err := e.Kund.Service.Customer(context.Background(), "L1", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range e.lookups() {
		regNo := "19811218-9876"
		if l.name == "frontpayment" {
			regNo = c.UUID
		}
		res := l.do(regNo, false)
		if res.Status != http.StatusOK || strings.Contains(string(res.Body), "X-99") || strings.Contains(string(res.Body), "metadata") {
			t.Errorf("%s: %d %s", l.name, res.Status, res.Body)
		}
	}
}
