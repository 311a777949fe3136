package compat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
)

// TestEveryDialectFindsANativeCustomer creates one customer through the
// native API and finds it through each of the four dialects.
func TestEveryDialectFindsANativeCustomer(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.Start(t, b)
			e.Ledger("4711", "SE", customer.NumbersClient)
			tok := e.Token("4711", customer.ScopeWrite)
			res := e.Call("POST", "/ledger/customer/v1/4711/customers", tok, `{"customerNo":"42",
 "nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"},"legalEntity":"consumer","name":"Britt-Marie Axelstopp",
 "emailAddress":"britt@axelstopp.com","msisdn":"+46720000000",
 "legalAddress":{"addressee":"Britt-Marie Axelstopp","streetAddress":"The street 18","city":"STOCKHOLM","zipCode":"15961","countryCode":"SE"}}`)
			if res.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			uuid, _ := e.Call("GET", "/ledger/customer/v1/4711/customers/42", tok, "").JSON(t)["uuid"].(string)

			// Frontpayment, by uuid.
			fp := e.Call("GET", "/api/v1/connect/customers/details/"+uuid, tok, "")
			if fp.Status != 200 || !strings.Contains(string(fp.Body), `"personalNumber":"19811218-9876"`) {
				t.Fatalf("frontpayment: %d %s", fp.Status, fp.Body)
			}
			// Riverty, by identification number.
			rv := e.Call("POST", "/v1/clients/4711/lookup/customer", tok, `{"lookupField":"IdentificationNumber","lookupValue":"811218-9876"}`)
			if rv.Status != 200 || rv.JSON(t)["customerNumber"] != "42" {
				t.Fatalf("riverty: %d %s", rv.Status, rv.Body)
			}
			// Tulo Payway, by social security number.
			id, secret, err := payway.CreateClient(context.Background(), e.Kund.Service, e.Store, "4711", []string{payway.ScopeAccountRead})
			if err != nil {
				t.Fatal(err)
			}
			form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"none"}, "scope": {payway.ScopeAccountRead}}
			at := e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
				Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).JSON(t)["access_token"].(string)
			pw := e.Call("GET", "/external/api/v1/accounts/candidate?social_security_number=811218-9876", at, "")
			if pw.Status != 200 || !strings.Contains(string(pw.Body), `"customer_number":"42"`) {
				t.Fatalf("payway: %d %s", pw.Status, pw.Body)
			}
			// Worldline, through a client session made with an API key.
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
			wl := e.Do(apitest.Request{Method: "POST", Path: "/client/v1/" + sess.CustomerID + "/products/9000/customerDetails",
				Body:   `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"198112189876"}]}`,
				Header: map[string]string{"Authorization": "GCS v1Client:" + sess.ClientSessionID}})
			if wl.Status != 200 || !strings.Contains(string(wl.Body), `"surname":"Axelstopp"`) {
				t.Fatalf("worldline: %d %s", wl.Status, wl.Body)
			}
		})
	}
}
