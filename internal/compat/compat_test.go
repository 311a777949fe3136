package compat_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
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
			answers := dialects(t, e, tok, uuid)
			for name, want := range map[string]string{
				"frontpayment": `"personalNumber":"19811218-9876"`, // by uuid
				"riverty":      `"customerNumber":"42"`,            // by identification number
				"payway":       `"customer_number":"42"`,           // by social security number
				"worldline":    `"surname":"Axelstopp"`,            // through a client session made with an API key
			} {
				if res := answers[name]; res.Status != 200 || !strings.Contains(string(res.Body), want) {
					t.Fatalf("%s: %d %s", name, res.Status, res.Body)
				}
			}
		})
	}
}
