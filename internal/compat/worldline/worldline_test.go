package worldline_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

const registerFile = `country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone
SE,19800101-2387,Gustav,Adolfs,,Gustav Adolfs torg 22,11152,Stockholm,false,false,+46701234567
SE,19121212-1212,Hemlig,Person,,Box 1,11122,Stockholm,true,false,
`

// start runs Kund with a register file, a ledger "4711" with a customer
// and a Worldline key.
func start(t *testing.T, b apitest.Backend) (*apitest.Env, string, string) {
	path := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(path, []byte(registerFile), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := register.OpenFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := apitest.StartWith(t, b, func(c *app.Config) { c.Register = f })
	e.Ledger("4711", "SE", customer.NumbersClient)
	// The tests look up more than a checkout does; the quota's own test
	// (security_test.go) runs on the default.
	quota := 1000
	if _, err := e.Kund.Service.UpdateLedger(context.Background(), "4711", customer.LedgerOptions{SessionLookups: &quota}); err != nil {
		t.Fatal(err)
	}
	write := e.Token("4711", customer.ScopeWrite)
	for _, body := range []string{
		`{"customerNo":"1","nationalIdentifier":{"regNo":"198112189876","countryCode":"SE"},"legalEntity":"consumer",
 "name":"Britt-Marie Axelstopp","emailAddress":"britt@axelstopp.com","msisdn":"+46720000000",
 "legalAddress":{"addressee":"Britt-Marie Axelstopp","streetAddress":"The street 18","city":"STOCKHOLM","zipCode":"15961","countryCode":"SE"}}`,
		`{"customerNo":"2","nationalIdentifier":{"regNo":"191212121212","countryCode":"SE"},"legalEntity":"consumer","protectedIdentity":true,
 "name":"Skyddad Person","legalAddress":{"addressee":"Skyddad Person","streetAddress":"Box 2","city":"STOCKHOLM","zipCode":"15961","countryCode":"SE"}}`,
	} {
		if res := e.Call("POST", "/ledger/customer/v1/4711/customers", write, body); res.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
	}
	k, err := worldline.CreateKey(context.Background(), e.Kund.Service, e.Store, "4711")
	if err != nil {
		t.Fatal(err)
	}
	return e, k.ID, k.Secret
}

// signed sends a server API request signed as connect-sdk-nodejs does.
func signed(e *apitest.Env, keyID, secret, method, path, body string, date time.Time) *apitest.Response {
	d := date.UTC().Format(http.TimeFormat)
	meta := "eyJzZGtJZGVudGlmaWVyIjoiR28ifQ=="
	sig := worldline.Signature(secret, method, "application/json", d, map[string]string{"X-GCS-ServerMetaInfo": meta}, path)
	return e.Do(apitest.Request{Method: method, Path: path, Body: body, Header: map[string]string{
		"Content-Type": "application/json", "Date": d, "X-GCS-ServerMetaInfo": meta,
		"Authorization": "GCS v1HMAC:" + keyID + ":" + sig,
	}})
}

func wantError(t *testing.T, res *apitest.Response, status int, code, id, property string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	var body struct {
		ErrorID string
		Errors  []map[string]any
	}
	if err := json.Unmarshal(res.Body, &body); err != nil || body.ErrorID == "" || len(body.Errors) != 1 {
		t.Fatalf("error body: %s", res.Body)
	}
	er := body.Errors[0]
	if er["code"] != code || er["id"] != id || er["httpStatusCode"] != float64(status) || er["category"] == "" || er["message"] == "" ||
		er["requestId"] != res.Header.Get("Request-Id") || (property != "" && er["propertyName"] != property) {
		t.Fatalf("error: got %v, want %s %s %s", er, code, id, property)
	}
}

func TestServerAndClientAPI(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e, keyID, secret := start(t, b)
			res := signed(e, keyID, secret, "POST", "/v1/4711/sessions", `{}`, e.Now)
			if res.Status != http.StatusCreated {
				t.Fatalf("session: %d %s", res.Status, res.Body)
			}
			var s map[string]any
			json.Unmarshal(res.Body, &s)
			sid, cid := s["clientSessionId"].(string), s["customerId"].(string)
			if sid == "" || cid == "" || s["clientApiUrl"] != e.URL || !strings.HasPrefix(s["assetUrl"].(string), e.URL) {
				t.Fatalf("session: %s", res.Body)
			}
			if inv, ok := s["invalidTokens"].([]any); !ok || len(inv) != 0 {
				t.Fatalf("invalidTokens: %s", res.Body)
			}

			lookup := func(v string) string {
				return `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"` + v + `"}]}`
			}
			res = signed(e, keyID, secret, "POST", "/v1/4711/products/9000/customerDetails", lookup("198112189876"), e.Now)
			if res.Status != 200 {
				t.Fatalf("server customerDetails: %d %s", res.Status, res.Body)
			}
			want := `{"city":"STOCKHOLM","country":"SE","emailAddress":"britt@axelstopp.com","firstName":"Britt-Marie","fiscalNumber":"19811218-9876","languageCode":"","phoneNumber":"0720000000","street":"The street 18","surname":"Axelstopp","zip":"15961"}`
			if strings.TrimSpace(string(res.Body)) != want {
				t.Fatalf("details:\n got %s\nwant %s", res.Body, want)
			}

			// Signatures: wrong secret, old Date, altered path, other merchant.
			wantError(t, signed(e, keyID, "nope", "POST", "/v1/4711/sessions", `{}`, e.Now), 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
			wantError(t, signed(e, keyID, secret, "POST", "/v1/4711/sessions", `{}`, e.Now.Add(-time.Hour)), 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
			wantError(t, signed(e, "nokey", secret, "POST", "/v1/4711/sessions", `{}`, e.Now), 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
			wantError(t, e.Call("POST", "/v1/4711/sessions", "", `{}`), 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
			e.Ledger("4712", "SE", customer.NumbersClient)
			wantError(t, signed(e, keyID, secret, "POST", "/v1/4712/sessions", `{}`, e.Now), 403, "9007", "ACCESS_TO_MERCHANT_NOT_ALLOWED", "")

			client := func(method, path, body string) *apitest.Response {
				return e.Do(apitest.Request{Method: method, Path: "/client/v1/" + cid + path, Body: body,
					Header: map[string]string{"Authorization": "GCS v1Client:" + sid, "X-GCS-ClientMetaInfo": "e30="}})
			}
			res = client("GET", "/products/9000?countryCode=SE&isRecurring=false&amount=0&currencyCode=SEK", "")
			if res.Status != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatalf("product: %d %s", res.Status, res.Body)
			}
			var p struct {
				ID     int
				Fields []struct {
					ID               string
					UsedForLookup    bool
					DataRestrictions map[string]any
					DisplayHints     map[string]any
				}
				DisplayHints struct{ Logo string }
			}
			json.Unmarshal(res.Body, &p)
			if p.ID != 9000 || len(p.Fields) != 1 || p.Fields[0].ID != "fiscalNumber" || !p.Fields[0].UsedForLookup ||
				p.Fields[0].DataRestrictions == nil || p.Fields[0].DisplayHints == nil || p.DisplayHints.Logo == "" {
				t.Fatalf("product: %s", res.Body)
			}
			wantError(t, client("GET", "/products/1?countryCode=SE", ""), 404, "1070", "UNKNOWN_PAYMENT_PRODUCT_ID", "")
			wantError(t, client("GET", "/products/9000?countryCode=DE", ""), 404, "1070", "UNKNOWN_PAYMENT_PRODUCT_ID", "")
			wantError(t, client("GET", "/products/9000", ""), 400, "21000020", "PARAMETER_NOT_FOUND_IN_REQUEST", "countryCode")

			res = client("POST", "/products/9000/customerDetails", lookup("19811218-9876"))
			if res.Status != 200 || strings.TrimSpace(string(res.Body)) != want {
				t.Fatalf("client customerDetails: %d %s", res.Status, res.Body)
			}
			// From the register when the ledger does not know the person.
			res = client("POST", "/products/9000/customerDetails", lookup("800101-2387"))
			if res.Status != 200 || !strings.Contains(string(res.Body), `"firstName":"Gustav","fiscalNumber":"19800101-2387"`) ||
				!strings.Contains(string(res.Body), `"street":"Gustav Adolfs torg 22"`) {
				t.Fatalf("register: %d %s", res.Status, res.Body)
			}
			// By phone number, among the ledger's customers.
			res = client("POST", "/products/9000/customerDetails", `{"countryCode":"SE","values":[{"key":"phoneNumber","value":"+46720000000"}]}`)
			if res.Status != 200 || !strings.Contains(string(res.Body), `"surname":"Axelstopp"`) {
				t.Fatalf("phone: %d %s", res.Status, res.Body)
			}
			// Protected (in the ledger or the register) and unknown persons: 1214.
			for _, v := range []string{"19121212-1212", "19900101-2385"} {
				wantError(t, client("POST", "/products/9000/customerDetails", lookup(v)), 400, "1214", "CUSTOMER_DETAILS_NOT_FOUND", "")
			}
			wantError(t, client("POST", "/products/9000/customerDetails", lookup("19811218-9877")), 400, "21000120", "INVALID_VALUE", "values[key='fiscalNumber'].value")
			wantError(t, client("POST", "/products/9000/customerDetails", `{"countryCode":"SE","values":[]}`), 400, "21000020", "PARAMETER_NOT_FOUND_IN_REQUEST", "values[key='fiscalNumber'].value")
			wantError(t, client("POST", "/products/9000/customerDetails", `{"values":[]}`), 400, "21000020", "PARAMETER_NOT_FOUND_IN_REQUEST", "countryCode")
			wantError(t, client("POST", "/products/9001/customerDetails", lookup("19811218-9876")), 404, "1070", "UNKNOWN_PAYMENT_PRODUCT_ID", "")

			// A ledger's own lookup products replace the default.
			if err := worldline.SetProduct(context.Background(), e.Kund.Service, e.Store, "4711", 9100, []string{"NO"}); err != nil {
				t.Fatal(err)
			}
			wantError(t, client("GET", "/products/9000?countryCode=SE", ""), 404, "1070", "UNKNOWN_PAYMENT_PRODUCT_ID", "")
			wantError(t, client("GET", "/products/9100?countryCode=SE", ""), 404, "1070", "UNKNOWN_PAYMENT_PRODUCT_ID", "")
			if res := client("GET", "/products/9100?countryCode=NO", ""); res.Status != 200 || !strings.Contains(string(res.Body), `"id":9100`) {
				t.Fatalf("configured product: %d %s", res.Status, res.Body)
			}
			if err := worldline.SetProduct(context.Background(), e.Kund.Service, e.Store, "4711", 9100, []string{"DE"}); customer.ErrorCode(err) != customer.EVALIDATION {
				t.Fatalf("a country without lookup: %v", err)
			}
			if err := worldline.SetProduct(context.Background(), e.Kund.Service, e.Store, "4711", 9100, nil); err != nil {
				t.Fatal(err)
			}
			if res := client("GET", "/products/9000?countryCode=SE", ""); res.Status != 200 {
				t.Fatalf("back to the default: %d %s", res.Status, res.Body)
			}

			// Every lookup is in the disclosure log, answered from the
			// ledger or the register, naming the session by an id that is
			// no part of its secret.
			logged, err := e.Store.RegisterLookups(context.Background(), "4711", nil, 0, 100)
			if err != nil || len(logged) != 6 {
				t.Fatalf("disclosure log: %d entries, %v; want one per lookup, 6", len(logged), err)
			}
			var outcomes []string
			for _, l := range logged {
				outcomes = append(outcomes, l.Source+":"+l.Outcome)
			}
			if got := strings.Join(outcomes, " "); got != "register:not-found customers:withheld customers:found register:found customers:found customers:found" {
				t.Fatalf("disclosure log, newest first: %s", got)
			}
			if l := logged[0]; l.Purpose != worldline.Purpose || !strings.HasPrefix(l.TokenID, "worldline-session:") || strings.Contains(l.TokenID, sid) {
				t.Fatalf("disclosure log entry: %+v", l)
			}
			if l := logged[5]; !strings.HasPrefix(l.TokenID, "worldline-key:") {
				t.Fatalf("the server API's lookup names its key: %+v", l)
			}

			// Another customer id, an unknown session, an expired session.
			wantError(t, e.Do(apitest.Request{Method: "GET", Path: "/client/v1/other/products/9000?countryCode=SE",
				Header: map[string]string{"Authorization": "GCS v1Client:" + sid}}), 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
			wantError(t, e.Do(apitest.Request{Method: "GET", Path: "/client/v1/" + cid + "/products/9000?countryCode=SE",
				Header: map[string]string{"Authorization": "GCS v1Client:nosuch"}}), 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
			e.Advance(customer.DefaultSessionTTL)
			wantError(t, client("GET", "/products/9000?countryCode=SE", ""), 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
		})
	}
}
