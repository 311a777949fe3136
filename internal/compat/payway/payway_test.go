package payway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/customer"
)

const create = `{"customerNo":"%s","nationalIdentifier":{"regNo":"%s","countryCode":"SE"},
 "legalEntity":"consumer","name":"Ove Ovesson","emailAddress":"test@example.com","msisdn":"+46701234567",
 "protectedIdentity":%s,
 "legalAddress":{"addressee":"Ove Ovesson","streetAddress":"Storgatan 1","city":"Kungsbacka","zipCode":"43921","countryCode":"SE"}}`

func customerBody(no, regNo string, protected bool) string {
	b := strings.Replace(create, "%s", no, 1)
	b = strings.Replace(b, "%s", regNo, 1)
	return strings.Replace(b, "%s", map[bool]string{true: "true", false: "false"}[protected], 1)
}

// token trades a Payway client's credentials for an access token.
func token(t *testing.T, e *apitest.Env, id, secret string) *apitest.Response {
	t.Helper()
	form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"none"}, "scope": {payway.ScopeAccountRead}}
	return e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
}

func apiError(t *testing.T, res *apitest.Response, status int, code, field string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	m := res.JSON(t)
	if m["code"] != code || m["message"] == "" || (field != "" && m["field"] != field) {
		t.Fatalf("error body: got %s, want code %s field %s", res.Body, code, field)
	}
	if _, ok := m["field"]; !ok || len(m) != 3 {
		t.Fatalf("error body must be {code, field, message}: %s", res.Body)
	}
}

func TestSeedExamples(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.Start(t, b)
			e.Ledger("L1", "SE", customer.NumbersClient)
			write := e.Token("L1", customer.ScopeWrite)
			// The seed's 620817-9256 is a valid Swedish number.
			for _, c := range []string{customerBody("4711", "196208179256", false)} {
				if res := e.Call("POST", "/ledger/customer/v1/L1/customers", write, c); res.Status != http.StatusCreated {
					t.Fatalf("create: %d %s", res.Status, res.Body)
				}
			}
			res := e.Call("PUT", "/ledger/customer/v1/L1/customers/4711/products", write,
				`{"products":[{"productCode":"product code","validTo":"2016-08-02T13:00:00+03:00"}]}`)
			if res.Status != 200 {
				t.Fatalf("put products: %d %s", res.Status, res.Body)
			}
			res = e.Call("GET", "/ledger/customer/v1/L1/customers/4711/products", write, "")
			if res.Status != 200 || !strings.Contains(string(res.Body), `"productCode":"product code","validTo":"2016-08-02T10:00:00Z"`) {
				t.Fatalf("get products: %d %s", res.Status, res.Body)
			}

			id, secret, err := payway.CreateClient(context.Background(), e.Kund.Service, e.Store, "L1", []string{payway.ScopeAccountRead})
			if err != nil {
				t.Fatal(err)
			}
			res = token(t, e, id, secret)
			if res.Status != 200 {
				t.Fatalf("access token: %d %s", res.Status, res.Body)
			}
			tok, _ := res.JSON(t)["access_token"].(string)
			if tok == "" {
				t.Fatalf("no access_token: %s", res.Body)
			}

			c, _ := e.Kund.Service.Customer(context.Background(), "L1", "4711")
			want := map[string]any{"item": map[string]any{
				"account_candidate_id": c.UUID, "email": "test@example.com", "first_name": "Ove", "last_name": "Ovesson",
				"mobile_phone_number": "0701234567", "social_security_number": "620817-9256", "customer_number": "4711",
				"zip_code": "43921", "products": []any{map[string]any{"product_code": "product code", "valid_to": "2016-08-02T10:00:00Z"}},
			}}
			for _, q := range []string{"social_security_number=620817-9256&zip_code=43921", "customer_number=4711", "social_security_number=620817-9256", "customer_number=4711&social_security_number=620817-9256"} {
				res := e.Call("GET", "/external/api/v1/accounts/candidate?"+q, tok, "")
				if res.Status != 200 {
					t.Fatalf("%s: %d %s", q, res.Status, res.Body)
				}
				if got := res.JSON(t); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s:\n got %v\nwant %v", q, got, want)
				}
			}

			path := "/external/api/v1/accounts/candidate?"
			apiError(t, e.Call("GET", path+"social_security_number=6208179256", tok, ""), 400, "invalid_parameter", "social_security_number")
			if m := e.Call("GET", path+"social_security_number=19620817-9256", tok, "").JSON(t); m["message"] != "Parameter must match format (/^[0-9]{6}-[0-9]{4}$/)" {
				t.Fatalf("the seed's message: %v", m)
			}
			apiError(t, e.Call("GET", path+"customer_number=12345678901", tok, ""), 400, "invalid_parameter", "customer_number")
			apiError(t, e.Call("GET", path+"customer_number=47.11", tok, ""), 400, "invalid_parameter", "customer_number")
			apiError(t, e.Call("GET", path+"customer_number=4711&zip_code=439210", tok, ""), 400, "invalid_parameter", "zip_code")
			apiError(t, e.Call("GET", path+"customer_number=4711&zip_code=439+21", tok, ""), 400, "invalid_parameter", "zip_code")
			apiError(t, e.Call("GET", path+"zip_code=43921", tok, ""), 400, "invalid_parameter", "social_security_number")
			apiError(t, e.Call("GET", path+"customer_number=4711&email=x", tok, ""), 400, "unknown_parameter", "email")
			apiError(t, e.Call("GET", path+"customer_number=4712", tok, ""), 404, "not_found", "")
			apiError(t, e.Call("GET", path+"customer_number=4711&zip_code=11122", tok, ""), 404, "not_found", "")
			apiError(t, e.Call("GET", path+"social_security_number=121212-1212", tok, ""), 404, "not_found", "")
			apiError(t, e.Call("GET", path+"customer_number=4711", "", ""), 401, "unauthorized", "")
			// A native token, whatever its scopes, is no Payway credential.
			apiError(t, e.Call("GET", path+"customer_number=4711", e.Token("L1", customer.ScopeKYC), ""), 401, "unauthorized", "")
			apiError(t, e.Call("GET", path+"customer_number=4711", e.Token("L1", customer.ScopeRead), ""), 401, "unauthorized", "")

			// Two customers with the same number: 409, unless the zip or
			// the customer number tells them apart.
			if res := e.Call("POST", "/ledger/customer/v1/L1/customers", write, strings.Replace(customerBody("4712", "196208179256", false), "43921", "43922", 2)); res.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			apiError(t, e.Call("GET", path+"social_security_number=620817-9256", tok, ""), 409, "already_exists", "")
			if res := e.Call("GET", path+"social_security_number=620817-9256&zip_code=43922", tok, ""); res.Status != 200 || !strings.Contains(string(res.Body), `"customer_number":"4712"`) {
				t.Fatalf("zip tells them apart: %d %s", res.Status, res.Body)
			}

			// A person under protected identity is never disclosed.
			if res := e.Call("POST", "/ledger/customer/v1/L1/customers", write, customerBody("4713", "198112189876", true)); res.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			apiError(t, e.Call("GET", path+"social_security_number=811218-9876", tok, ""), 404, "not_found", "")
			apiError(t, e.Call("GET", path+"customer_number=4713", tok, ""), 404, "not_found", "")

			// Token endpoint errors, and tokens expire.
			apiError(t, token(t, e, id, "wrong"), 401, "invalid_client", "")
			apiError(t, token(t, e, "nosuch", secret), 401, "invalid_client", "")
			form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"client_credentials"}, "scope": {payway.ScopeAccountRead}}
			apiError(t, e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
				Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}), 400, "invalid_parameter", "grant_type")
			form.Set("grant_type", "none")
			form.Set("scope", "/external/account/w")
			apiError(t, e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
				Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}), 403, "invalid_scope", "scope")
			form.Del("scope")
			apiError(t, e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
				Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}), 400, "invalid_parameter", "scope")
			e.Advance(payway.TokenTTL + time.Second)
			apiError(t, e.Call("GET", path+"customer_number=4711", tok, ""), 401, "unauthorized", "")
		})
	}
}

func TestProductsValidation(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	e.Ledger("L1", "SE", customer.NumbersClient)
	write := e.Token("L1", customer.ScopeWrite)
	if res := e.Call("POST", "/ledger/customer/v1/L1/customers", write, customerBody("1", "196208179256", false)); res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	for body, n := range map[string]int{
		`{"products":[{"productCode":"","validTo":"tomorrow"}]}`:                    2,
		`{"products":[{"productCode":"a","validTo":"2016-08-02T13:00:00Z","x":1}]}`: 1,
		`{"products":{}}`: 1,
		`{}`:              1,
	} {
		res := e.Call("PUT", "/ledger/customer/v1/L1/customers/1/products", write, body)
		var p struct{ Problems []map[string]string }
		json.Unmarshal(res.Body, &p)
		if res.Status != 400 || len(p.Problems) != n {
			t.Fatalf("bad products %s: %d %s", body, res.Status, res.Body)
		}
	}
	if res := e.Call("PUT", "/ledger/customer/v1/L1/customers/2/products", write, `{"products":[]}`); res.Status != 404 {
		t.Fatalf("unknown customer: %d %s", res.Status, res.Body)
	}
	if res := e.Call("GET", "/ledger/customer/v1/L1/customers/1/products", write, ""); res.Status != 200 || !strings.Contains(string(res.Body), `"products":[]`) {
		t.Fatalf("no products: %d %s", res.Status, res.Body)
	}
}
