package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

// routes is every native route with a body that would succeed, in an
// order in which each succeeds after the ones before.
var routes = []struct {
	method, path, body string
	scope              customer.Scope
}{
	{"POST", "/customers", `{"customerNo":"2","name":"N","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`, customer.ScopeWrite},
	{"GET", "/customers", "", customer.ScopeRead},
	{"GET", "/customers/1", "", customer.ScopeRead},
	{"PATCH", "/customers/1", `{"emailAddress":"a@b.se"}`, customer.ScopeWrite},
	{"GET", "/customers/1/legal-address", "", customer.ScopeRead},
	{"PUT", "/customers/1/legal-address", `{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}`, customer.ScopeWrite},
	{"POST", "/customers/1/billing-address", `{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}`, customer.ScopeWrite},
	{"GET", "/customers/1/billing-address", "", customer.ScopeRead},
	{"PUT", "/customers/1/billing-address", `{"addressee":"B","city":"C","zipCode":"11122","countryCode":"SE"}`, customer.ScopeWrite},
	{"DELETE", "/customers/1/billing-address", "", customer.ScopeWrite},
	{"POST", "/find-customer", `{"nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"}}`, customer.ScopeRead},
}

// TestIsolation crosses every route with every way to be refused: no token,
// a malformed, unknown or revoked token, another ledger's token, and a token
// without the route's scope. None may see a 2xx or the other ledger's data,
// and none may change anything.
func TestIsolation(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("A", "SE", customer.NumbersClient)
		e.Ledger("B", "SE", customer.NumbersClient)
		all := e.Token("A", customer.ScopeAll)
		create := `{"customerNo":"1","name":"Secret A","nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"},
			"legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
		want(t, e.Call("POST", "/ledger/customer/v1/A/customers", all, create), http.StatusCreated)
		before := e.Call("GET", "/ledger/customer/v1/A/customers/1?$expand=legaladdress", all, "").Body

		otherLedger := e.Token("B", customer.ScopeAll)
		revoked := e.Token("A", customer.ScopeAll)
		if err := e.Store.RevokeToken(t.Context(), strings.Split(revoked, ".")[1], e.Now); err != nil {
			t.Fatal(err)
		}
		for _, rt := range routes {
			noScope := e.Token("A", customer.ScopeKYC)
			if rt.scope == customer.ScopeWrite {
				noScope = e.Token("A", customer.ScopeRead)
			}
			for _, c := range []struct {
				name, token, path string
				status            int
				code              string
			}{
				{"no token", "", "A", http.StatusUnauthorized, customer.EUNAUTHORIZED},
				{"malformed token", "not-a-token", "A", http.StatusUnauthorized, customer.EUNAUTHORIZED},
				{"unknown token", "kund.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "A", http.StatusUnauthorized, customer.EUNAUTHORIZED},
				{"wrong secret", strings.Split(all, ".")[0] + "." + strings.Split(all, ".")[1] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "A", http.StatusUnauthorized, customer.EUNAUTHORIZED},
				{"revoked token", revoked, "A", http.StatusUnauthorized, customer.EUNAUTHORIZED},
				{"other ledger's token", otherLedger, "A", http.StatusNotFound, customer.ENOTFOUND},
				{"token of A on B's URL", all, "B", http.StatusNotFound, customer.ENOTFOUND},
				{"token of A on an unknown ledger", all, "C", http.StatusNotFound, customer.ENOTFOUND},
				{"missing scope", noScope, "A", http.StatusForbidden, customer.EFORBIDDEN},
			} {
				t.Run(rt.method+" "+rt.path+" "+c.name, func(t *testing.T) {
					res := e.Call(rt.method, "/ledger/customer/v1/"+c.path+rt.path, c.token, rt.body)
					problem(t, res, c.status, c.code)
					if strings.Contains(string(res.Body), "Secret A") {
						t.Fatalf("ledger A's data leaked: %s", res.Body)
					}
					if c.status == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") == "" {
						t.Fatal("401 without WWW-Authenticate")
					}
				})
			}
		}
		after := e.Call("GET", "/ledger/customer/v1/A/customers/1?$expand=legaladdress", all, "").Body
		if string(before) != string(after) {
			t.Fatalf("a refused request changed the customer:\n%s\n%s", before, after)
		}
		// And with the right token every route works.
		for _, rt := range routes {
			tok := e.Token("A", rt.scope)
			if res := e.Call(rt.method, "/ledger/customer/v1/A"+rt.path, tok, rt.body); res.Status >= 300 {
				t.Fatalf("%s %s with scope %s: %d %s", rt.method, rt.path, rt.scope, res.Status, res.Body)
			}
		}
	})
}

func TestRequestProblems(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		post := func(body, contentType string) *apitest.Response {
			return e.Do(apitest.Request{Method: "POST", Path: ledgerPath + "/customers", Token: tok, Body: body,
				Header: map[string]string{"Content-Type": contentType}})
		}
		problem(t, post(`{"customerNo":`, "application/json"), http.StatusBadRequest, customer.EVALIDATION, "body")
		problem(t, post(`[1,2]`, "application/json"), http.StatusBadRequest, customer.EVALIDATION, "body")
		problem(t, post(`{} {}`, "application/json"), http.StatusBadRequest, customer.EVALIDATION, "body")
		problem(t, post(seedCreate, "text/plain"), http.StatusUnsupportedMediaType, customer.EUNSUPPORTEDMEDIA)
		problem(t, post(seedCreate, ""), http.StatusUnsupportedMediaType, customer.EUNSUPPORTEDMEDIA)
		want(t, post(strings.Replace(seedCreate, "9999", "1", 1), "application/json; charset=utf-8"), http.StatusCreated)
		problem(t, post(`{"name":"`+strings.Repeat("x", 1<<20)+`"}`, "application/json"), http.StatusRequestEntityTooLarge, customer.ETOOLARGE)
		problem(t, post("{\"name\":\"\xff\"}", "application/json"), http.StatusBadRequest, customer.EVALIDATION, "body")
		problem(t, post(`{"name":"a","NAME":"b"}`, "application/json"), http.StatusBadRequest, customer.EVALIDATION, "NAME")
		problem(t, post(`{"customerNo":9999}`, "application/json"), http.StatusBadRequest, customer.EVALIDATION, "customerNo")
		problem(t, post(`{"legalAddress":"x"}`, "application/json"), http.StatusBadRequest, customer.EVALIDATION, "legalAddress")
		problem(t, post(`{}`, "application/json"), http.StatusBadRequest, customer.EVALIDATION, "customerNo", "name", "legalAddress")
		problem(t, post(`{"customerNo":"1x","name":"N","legalAddress":{"addressee":"A","city":"C","zipCode":"1","countryCode":"SE"},
			"nationalIdentifier":{"regNo":"19991301-0000","countryCode":"SE"},"vatNo":"SE123","emailAddress":"a@b",
			"legalEntity":"person","preferredLanguageCode":"xx","uuid":"CSRT0000000000","legalStatus":"active"}`, "application/json"),
			http.StatusBadRequest, customer.EVALIDATION, "uuid", "legalStatus")
		problem(t, post(`{"customerNo":"1x","name":"N","legalAddress":{"addressee":"A","city":"C","zipCode":"1","countryCode":"SE"},
			"nationalIdentifier":{"regNo":"19991301-0000","countryCode":"SE"},"vatNo":"SE123","emailAddress":"a@b",
			"legalEntity":"person","preferredLanguageCode":"xx"}`, "application/json"),
			http.StatusBadRequest, customer.EVALIDATION, "customerNo", "legalAddress.zipCode", "nationalIdentifier.regNo", "vatNo",
			"emailAddress", "legalEntity", "preferredLanguageCode")
		// A consumer cannot carry an organisation number; a business can.
		org := `"nationalIdentifier":{"regNo":"556016-0680","countryCode":"SE"},"legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}`
		problem(t, post(`{"customerNo":"5","name":"N","legalEntity":"consumer",`+org+`}`, "application/json"), http.StatusBadRequest, customer.EVALIDATION, "legalEntity")
		want(t, post(`{"customerNo":"5","name":"N",`+org+`}`, "application/json"), http.StatusCreated)
		if m := e.Call("GET", ledgerPath+"/customers/5", tok, "").JSON(t); m["legalEntity"] != "business" {
			t.Fatalf("an organisation number makes a business: %v", m["legalEntity"])
		}

		problem(t, e.Call("GET", "/nowhere", tok, ""), http.StatusNotFound, customer.ENOTFOUND)
		res := e.Call("DELETE", custPath, tok, "")
		problem(t, res, http.StatusMethodNotAllowed, customer.EMETHODNOTALLOWED)
		if res.Header.Get("Allow") == "" {
			t.Fatal("405 without Allow")
		}
		problem(t, e.Call("GET", ledgerPath+"/customers/abc", tok, ""), http.StatusNotFound, customer.ECUSTOMERNOTFOUND)

		// A client's Request-Id is kept when it is a UUID, replaced otherwise.
		id := "3f2c1b5e-8d7a-4c6b-9e0f-1a2b3c4d5e6f"
		res = e.Do(apitest.Request{Method: "GET", Path: "/nowhere", Header: map[string]string{"Request-Id": id}})
		if res.Header.Get("Request-Id") != id || !strings.Contains(string(res.Body), id) {
			t.Fatalf("Request-Id %q not kept: %s", res.Header.Get("Request-Id"), res.Body)
		}
		res = e.Do(apitest.Request{Method: "GET", Path: "/nowhere", Header: map[string]string{"Request-Id": "19121212-1212"}})
		if got := res.Header.Get("Request-Id"); got == "19121212-1212" || len(got) != 36 {
			t.Fatalf("a non-UUID Request-Id was kept: %q", got)
		}
	})
}

func TestGeneratedCustomerNumbers(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		for _, country := range []string{"SE", "NO", "DK", "FI"} {
			e.Ledger("GEN-"+country, country, customer.NumbersGenerated)
		}
		body := func(regNo, country string) string {
			return `{"name":"N","nationalIdentifier":{"regNo":"` + regNo + `","countryCode":"` + country + `"},
				"legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
		}
		tok := e.Token("GEN-SE", customer.ScopeWrite)
		path := "/ledger/customer/v1/GEN-SE/customers"
		res := e.Call("POST", path, tok, body("19121212-1212", "SE"))
		want(t, res, http.StatusCreated)
		jsonEqual(t, res.Body, `{"@id":"/ledger/customer/v1/GEN-SE/customers/1000000","customerNo":"1000000"}`)
		res = e.Call("POST", path, tok, body("198112189876", "SE"))
		jsonEqual(t, res.Body, `{"@id":"/ledger/customer/v1/GEN-SE/customers/1000001","customerNo":"1000001"}`)

		problem(t, e.Call("POST", path, tok, `{"customerNo":"5","name":"N","nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"},
			"legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`), http.StatusBadRequest, customer.EVALIDATION, "customerNo")
		problem(t, e.Call("POST", path, tok, `{"name":"N","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`),
			http.StatusBadRequest, customer.EVALIDATION, "nationalIdentifier")

		// Norwegian and Danish ledgers get seven digits too.
		for _, c := range []struct{ ledger, regNo, country string }{{"GEN-NO", "923609016", "NO"}, {"GEN-DK", "070761-4285", "DK"}} {
			res := e.Call("POST", "/ledger/customer/v1/"+c.ledger+"/customers", e.Token(c.ledger, customer.ScopeWrite), body(c.regNo, c.country))
			want(t, res, http.StatusCreated)
			if no := res.JSON(t)["customerNo"].(string); len(no) != 7 || no[0] == '0' {
				t.Fatalf("%s number %q", c.ledger, no)
			}
		}
	})
}

func TestListCustomers(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		for i, c := range []struct{ no, name, email, zip string }{
			{"1", "Åsa Öberg", "asa@example.se", "11122"},
			{"2", "åsa Lind", "lind@example.se", "11122"},
			{"3", "Bo Ek", "bo@example.se", "41104"},
		} {
			e.Advance(1e9) // each a second newer than the last
			want(t, e.Call("POST", ledgerPath+"/customers", tok, `{"customerNo":"`+c.no+`","name":"`+c.name+`","emailAddress":"`+c.email+`",
				"msisdn":"+4670123456`+string(rune('0'+i))+`","nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"},
				"legalAddress":{"addressee":"A","city":"C","zipCode":"`+c.zip+`","countryCode":"SE"}}`), http.StatusCreated)
		}
		list := func(q string) []string {
			t.Helper()
			res := e.Call("GET", ledgerPath+"/customers"+q, tok, "")
			want(t, res, http.StatusOK)
			var nos []string
			for _, it := range res.JSON(t)["items"].([]any) {
				nos = append(nos, it.(map[string]any)["customerNo"].(string))
			}
			return nos
		}
		for q, w := range map[string]string{
			"":                            "[3 2 1]",
			"?name=ÅSA":                   "[2 1]",
			"?name=%C3%A5sa%20l":          "[2]",
			"?emailAddress=bo@example.se": "[3]",
			"?msisdn=%2B46701234561":      "[2]",
			"?regNo=191212121212":         "[3 2 1]",
			"?zipCode=111%2022":           "[2 1]",
			"?zipCode=41104&name=%C3%A5":  "[]",
			"?take=2":                     "[3 2]",
			"?take=2&skip=2":              "[1]",
		} {
			if got := list(q); strings.Join(strings.Fields(strings.Trim(strings.Join(got, " "), "[]")), " ") != strings.Trim(w, "[]") {
				t.Errorf("%q: got %v, want %s", q, got, w)
			}
		}
		res := e.Call("GET", ledgerPath+"/customers?take=1&skip=1&name=%C3%A5sa", tok, "")
		jsonEqual(t, mustJSON(t, res.JSON(t)["navigation"]), `{
			"@id":"/ledger/customer/v1/XXX/customers",
			"first":"/ledger/customer/v1/XXX/customers?name=%C3%A5sa&skip=0&take=1",
			"previous":"/ledger/customer/v1/XXX/customers?name=%C3%A5sa&skip=0&take=1"}`)
		res = e.Call("GET", ledgerPath+"/customers?take=1", tok, "")
		jsonEqual(t, mustJSON(t, res.JSON(t)["navigation"]), `{
			"@id":"/ledger/customer/v1/XXX/customers",
			"first":"/ledger/customer/v1/XXX/customers?skip=0&take=1",
			"previous":"/ledger/customer/v1/XXX/customers?skip=0&take=1",
			"next":"/ledger/customer/v1/XXX/customers?skip=1&take=1"}`)

		problem(t, e.Call("GET", ledgerPath+"/customers?take=101", tok, ""), http.StatusBadRequest, customer.EVALIDATION, "take")
		problem(t, e.Call("GET", ledgerPath+"/customers?take=0&skip=-1", tok, ""), http.StatusBadRequest, customer.EVALIDATION, "take", "skip")
		problem(t, e.Call("GET", ledgerPath+"/customers?skip=x", tok, ""), http.StatusBadRequest, customer.EVALIDATION, "skip")
		problem(t, e.Call("GET", ledgerPath+"/customers?emial=a", tok, ""), http.StatusBadRequest, customer.EVALIDATION, "emial")
	})
}

func TestIfMatch(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		etag := e.Call("GET", custPath, tok, "").Header.Get("ETag")
		patch := func(tag, email string) *apitest.Response {
			return e.Do(apitest.Request{Method: "PATCH", Path: custPath, Token: tok, Body: `{"emailAddress":"` + email + `"}`,
				Header: map[string]string{"If-Match": tag}})
		}
		res := patch(etag, "first@example.se")
		want(t, res, http.StatusOK)
		if res.Header.Get("ETag") == etag {
			t.Fatal("ETag unchanged by PATCH")
		}
		problem(t, patch(etag, "second@example.se"), http.StatusPreconditionFailed, customer.EPRECONDITION)
		if m := e.Call("GET", custPath, tok, "").JSON(t); m["emailAddress"] != "first@example.se" {
			t.Fatalf("a stale If-Match was applied: %v", m["emailAddress"])
		}
		want(t, patch(res.Header.Get("ETag"), "third@example.se"), http.StatusOK)
		problem(t, e.Do(apitest.Request{Method: "PUT", Path: custPath + "/legal-address", Token: tok, Body: seedAddress,
			Header: map[string]string{"If-Match": etag}}), http.StatusPreconditionFailed, customer.EPRECONDITION)
	})
}
