package compat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kund/kund/api"
	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

// erasedValues are the personal data of the customer TestErasure erases,
// in the forms they travel in; none may be left anywhere.
var erasedValues = []string{"19811218-9876", "198112189876", "811218-9876", "britt@axelstopp.com", "+46720000000",
	"Axelstopp", "The street 18", "Axelgatan 7", "ringer efter 17", "Svetsare på varvet"}

// dialects asks each of the four dialects for the customer with the
// identity number 19811218-9876 (Frontpayment by uuid) and returns their
// answers.
func dialects(t *testing.T, e *apitest.Env, tok, uuid string) map[string]*apitest.Response {
	t.Helper()
	out := map[string]*apitest.Response{}
	out["frontpayment"] = e.Call("GET", "/api/v1/connect/customers/details/"+uuid, tok, "")
	out["riverty"] = e.Call("POST", "/v1/clients/4711/lookup/customer", tok, `{"lookupField":"IdentificationNumber","lookupValue":"811218-9876"}`)
	id, secret, err := payway.CreateClient(context.Background(), e.Kund.Service, e.Store, "4711", []string{payway.ScopeAccountRead})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"none"}, "scope": {payway.ScopeAccountRead}}
	at := e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).JSON(t)["access_token"].(string)
	out["payway"] = e.Call("GET", "/external/api/v1/accounts/candidate?social_security_number=811218-9876", at, "")
	k, err := worldline.CreateKey(context.Background(), e.Kund.Service, e.Store, "4711")
	if err != nil {
		t.Fatal(err)
	}
	date := e.Now.Format(http.TimeFormat)
	sig := worldline.Signature(k.Secret, "POST", "application/json", date, nil, "/v1/4711/sessions")
	s := e.Do(apitest.Request{Method: "POST", Path: "/v1/4711/sessions", Body: `{}`, Header: map[string]string{
		"Date": date, "Authorization": "GCS v1HMAC:" + k.ID + ":" + sig}})
	var sess struct{ ClientSessionID, CustomerID string }
	if err := json.Unmarshal(s.Body, &sess); err != nil || s.Status != 201 {
		t.Fatalf("worldline session: %d %s", s.Status, s.Body)
	}
	out["worldline"] = e.Do(apitest.Request{Method: "POST", Path: "/client/v1/" + sess.CustomerID + "/products/9000/customerDetails",
		Body:   `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"198112189876"}]}`,
		Header: map[string]string{"Authorization": "GCS v1Client:" + sess.ClientSessionID}})
	return out
}

// TestErasure erases a customer through the native API on every backend
// and looks for them everywhere afterwards: every route of the customer,
// every dialect, the journal, and the database's files.
func TestErasure(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.Start(t, b)
			e.Ledger("4711", "SE", customer.NumbersClient)
			tok := e.Token("4711", customer.ScopeAll)
			const one = "/ledger/customer/v1/4711/customers/42"
			res := e.Call("POST", "/ledger/customer/v1/4711/customers", tok, `{"customerNo":"42",
 "nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"},"legalEntity":"consumer","name":"Britt-Marie Axelstopp",
 "emailAddress":"britt@axelstopp.com","msisdn":"+46720000000","metadata":{"note":"ringer efter 17"},
 "legalAddress":{"addressee":"Britt-Marie Axelstopp","streetAddress":"The street 18","city":"STOCKHOLM","zipCode":"15961","countryCode":"SE"}}`)
			if res.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			if res := e.Call("POST", "/ledger/customer/v1/4711/customers", tok, `{"customerNo":"43","legalEntity":"consumer","name":"Sven Svensson",
 "emailAddress":"sven@example.se","legalAddress":{"addressee":"Sven Svensson","streetAddress":"Storgatan 1","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`); res.Status != http.StatusCreated {
				t.Fatalf("create 43: %d %s", res.Status, res.Body)
			}
			qs, err := customer.ParseKYCQuestions([]byte(`[{"questionCode":"occupation","questionText":{"en":"Your occupation?"},
 "answer":{"type":"text","required":true,"textValidationRegEx":null,"possibleAnswers":[]}}]`))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Kund.Service.UpdateLedger(context.Background(), "4711", customer.LedgerOptions{KYCQuestions: qs}); err != nil {
				t.Fatal(err)
			}
			c := e.Call("GET", one, tok, "").JSON(t)
			uuid := c["uuid"].(string)
			for _, call := range []struct{ method, path, body string }{
				{"POST", one + "/billing-address", `{"addressee":"Kalle Axelstopp","streetAddress":"Axelgatan 7","city":"STOCKHOLM","zipCode":"16872","countryCode":"SE"}`},
				{"PUT", one + "/products", `{"products":[{"productCode":"news","validTo":"2027-01-01T00:00:00Z"}]}`},
				{"POST", one + "/update-kyc-answers", `{"answers":[{"questionCode":"occupation","answerCode":"Svetsare på varvet"}]}`},
				{"POST", one + "/surpluses", `{"surplusId":"s-1","balance":"12.50","currency":"SEK","date":"2023-01-01T00:00:00","status":"open","invoice":"/ledger/invoice/v1/4711/invoices/9"}`},
			} {
				if res := e.Call(call.method, call.path, tok, call.body); res.Status >= 300 {
					t.Fatalf("%s %s: %d %s", call.method, call.path, res.Status, res.Body)
				}
			}
			for name, res := range dialects(t, e, tok, uuid) {
				if res.Status != 200 || !bytes.Contains(res.Body, []byte("Axelstopp")) {
					t.Fatalf("%s before the erasure: %d %s", name, res.Status, res.Body)
				}
			}

			// A reply kept for a retry shows the customer.
			findBody := `{"nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"}}`
			findAgain := func() *apitest.Response {
				return e.Do(apitest.Request{Method: "POST", Path: "/ledger/customer/v1/4711/find-customer", Token: tok, Body: findBody,
					Header: map[string]string{"Idempotency-Key": "find-42"}})
			}
			if res := findAgain(); res.Status != 200 {
				t.Fatalf("find with a key: %d %s", res.Status, res.Body)
			}
			if res := findAgain(); res.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatal("the find was not kept for its retry")
			}

			// An entry of the disclosure log from before its subjects were
			// keyed is still the person's.
			if err := e.Store.LogRegisterLookup(context.Background(), &register.Lookup{LedgerNo: "4711", TokenID: "old", Purpose: "before",
				SubjectHash: register.HashSubject("4711", "SE", "19811218-9876"), Outcome: "found", At: e.Now}); err != nil {
				t.Fatal(err)
			}

			// The export holds everything listed in DESIGN.md.
			x := e.Call("GET", one+"/export", tok, "")
			if x.Status != 200 {
				t.Fatalf("export: %d %s", x.Status, x.Body)
			}
			var export struct {
				Customer struct {
					EmailAddress   string         `json:"emailAddress"`
					BillingAddress map[string]any `json:"billingAddress"`
					Metadata       map[string]any `json:"metadata"`
				} `json:"customer"`
				KYCAnswers []struct {
					Answers []struct{ AnswerCode string }
				} `json:"kycAnswers"`
				Surpluses       []struct{ SurplusID string } `json:"surpluses"`
				Products        []struct{ ProductCode string }
				History         []struct{ Type string }
				RegisterLookups []struct{ Source, Outcome, SubjectHash string } `json:"registerLookups"`
			}
			if err := json.Unmarshal(x.Body, &export); err != nil {
				t.Fatal(err)
			}
			if export.Customer.EmailAddress != "britt@axelstopp.com" || export.Customer.BillingAddress == nil || export.Customer.Metadata["note"] != "ringer efter 17" ||
				len(export.Surpluses) != 1 || len(export.Products) != 1 || len(export.History) != 5 || export.History[4].Type != customer.EventCustomerCreated ||
				len(export.KYCAnswers) != 1 || export.KYCAnswers[0].Answers[0].AnswerCode != "Svetsare på varvet" ||
				len(export.RegisterLookups) != 5 || export.RegisterLookups[1].Outcome != "found" || !strings.HasPrefix(export.RegisterLookups[1].SubjectHash, "k1:") ||
				export.RegisterLookups[0].SubjectHash != register.HashSubject("4711", "SE", "19811218-9876") {
				t.Fatalf("export: %s", x.Body)
			}

			// Encrypted at rest: the files hold the name, but no identity
			// number, e-mail address or phone number in clear.
			dump := b.Dump(t, e.Store)
			if !bytes.Contains(dump, []byte("Axelstopp")) {
				t.Fatal("the dump does not show the customer's name: it cannot show anything")
			}
			for _, v := range []string{"19811218-9876", "198112189876", "811218-9876", "britt@axelstopp.com", "+46720000000", "sven@example.se", "Svetsare på varvet"} {
				if bytes.Contains(dump, []byte(v)) {
					t.Fatalf("the database holds %q in clear", v)
				}
			}

			// Refused: without the scope, without a reason, with an open surplus.
			problemCode(t, e.Call("POST", one+"/erase", e.Token("4711", customer.ScopeWrite), `{"reason":"case 17"}`), 403, "forbidden")
			problemCode(t, e.Call("POST", one+"/erase", tok, `{}`), 400, "validation")
			problemCode(t, e.Call("POST", one+"/erase", tok, `{"reason":"  "}`), 400, "validation")
			problemCode(t, e.Call("POST", one+"/erase", tok, `{"reason":"case 17"}`), 409, "erase-blocked")
			if res := e.Call("GET", one, tok, ""); res.Status != 200 {
				t.Fatalf("a refused erasure changed the customer: %d", res.Status)
			}
			if res := e.Call("DELETE", one+"/surpluses/s-1", tok, ""); res.Status != 204 {
				t.Fatalf("deplete: %d %s", res.Status, res.Body)
			}
			er := e.Call("POST", one+"/erase", tok, `{"reason":"case 17"}`)
			if er.Status != 200 || er.JSON(t)["customerNo"] != "42" || er.JSON(t)["erasedAt"] == "" {
				t.Fatalf("erase: %d %s", er.Status, er.Body)
			}

			// Every route of the customer answers 410.
			doc, err := api.Document()
			if err != nil {
				t.Fatal(err)
			}
			for path, item := range doc.Paths.Map() {
				if !strings.Contains(path, "{customerNo}") {
					continue
				}
				p := strings.NewReplacer("{ledgerNo}", "4711", "{customerNo}", "42", "{surplusId}", "s-1", "{name}", "Kivra").Replace(path)
				for method := range item.Operations() {
					body := `{}`
					if method == http.MethodGet || method == http.MethodDelete {
						body = ""
					}
					res := e.Do(apitest.Request{Method: method, Path: p, Token: tok, Body: body, Header: map[string]string{"If-Match": "*"}})
					if res.Status == http.StatusBadRequest {
						continue // the empty body is refused first; the GETs and DELETEs prove the rest
					}
					if typ, _ := res.JSON(t)["type"].(string); res.Status == 403 && strings.HasSuffix(typ, "/forbidden") || strings.HasSuffix(typ, "/kyc-configuration") {
						continue // a ledger without disbursements or KYC questions refuses before it looks for the customer
					}
					problemCode(t, res, http.StatusGone, "customer-erased")
				}
			}
			for _, m := range []string{"GET", "PATCH"} {
				body := ""
				if m == "PATCH" {
					body = `{"emailAddress":"someone@example.se"}`
				}
				problemCode(t, e.Do(apitest.Request{Method: m, Path: one, Token: tok, Body: body, Header: map[string]string{"If-Match": "*"}}), 410, "customer-erased")
			}
			problemCode(t, e.Call("POST", one+"/erase", tok, `{"reason":"again"}`), 410, "customer-erased")
			// Nothing finds them, the number is not given again, the other customer is there.
			problemCode(t, e.Call("POST", "/ledger/customer/v1/4711/find-customer", tok, `{"nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"}}`), 404, "customer-not-found")
			if res := findAgain(); res.Header.Get("Idempotent-Replayed") != "" || res.Status != 404 {
				t.Fatalf("the kept reply of a find outlived the erasure: %d %s", res.Status, res.Body)
			}
			for _, q := range []string{"emailAddress=britt%40axelstopp.com", "msisdn=%2B46720000000", "name=britt", "regNo=198112189876"} {
				if l := e.Call("GET", "/ledger/customer/v1/4711/customers?"+q, tok, ""); l.Status != 200 || strings.Contains(string(l.Body), `"42"`) {
					t.Fatalf("list ?%s: %d %s", q, l.Status, l.Body)
				}
			}
			if l := e.Call("GET", "/ledger/customer/v1/4711/customers", tok, ""); !strings.Contains(string(l.Body), `"43"`) || strings.Contains(string(l.Body), `"42"`) {
				t.Fatalf("list: %s", l.Body)
			}
			problemCode(t, e.Call("POST", "/ledger/customer/v1/4711/customers", tok, `{"customerNo":"42","legalEntity":"consumer","name":"New Person",
 "legalAddress":{"addressee":"New Person","streetAddress":"Gatan 2","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`), 409, "customer-already-exists")
			for name, res := range dialects(t, e, tok, uuid) {
				if res.Status == 200 || bytes.Contains(res.Body, []byte("Axelstopp")) || bytes.Contains(res.Body, []byte(`"42"`)) {
					t.Fatalf("%s after the erasure: %d %s", name, res.Status, res.Body)
				}
			}

			// The journal keeps the events without personal data; the last is customer.erased.
			feed := e.Call("GET", "/ledger/customer/v1/4711/events?take=100", tok, "")
			for _, v := range erasedValues {
				if bytes.Contains(feed.Body, []byte(v)) {
					t.Fatalf("the feed still holds %q: %s", v, feed.Body)
				}
			}
			if !bytes.Contains(feed.Body, []byte(`"type":"customer.erased"`)) || !bytes.Contains(feed.Body, []byte("sven@example.se")) {
				t.Fatalf("feed: %s", feed.Body)
			}

			// Nor do the database's files.
			dump = b.Dump(t, e.Store)
			if !bytes.Contains(dump, []byte("Storgatan 1")) {
				t.Fatal("the dump does not show the customer who was not erased: it cannot show anything")
			}
			for _, v := range erasedValues {
				if bytes.Contains(dump, []byte(v)) {
					t.Fatalf("the database still holds %q", v)
				}
			}
		})
	}
}

func problemCode(t *testing.T, res *apitest.Response, status int, code string) {
	t.Helper()
	if res.Status != status || !strings.HasSuffix(res.JSON(t)["type"].(string), "/"+code) {
		t.Fatalf("got %d %s, want %d %s", res.Status, res.Body, status, code)
	}
}
