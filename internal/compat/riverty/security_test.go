package riverty_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

// TestNoCopiesOfAProtectedPerson: the attack review made Riverty create
// unprotected customers, with the register's address, of a person the
// ledger holds under protected identity, by personal number and by phone.
// A withheld customer is not found, the register is not asked in its
// stead, and nothing is created.
func TestNoCopiesOfAProtectedPerson(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := start(t, b)
			e.Ledger("4711", "SE", customer.NumbersGenerated)
			write := e.Token("4711", customer.ScopeWrite)
			// Anna Maria Svensson is unprotected in the register, protected
			// in the ledger; the other customer is deceased.
			for _, body := range []string{
				`{"nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"},"legalEntity":"consumer","protectedIdentity":true,
 "name":"Anna Maria Svensson","msisdn":"+46701112233","legalAddress":{"addressee":"A","streetAddress":"Box 7","city":"Stockholm","zipCode":"11122","countryCode":"SE"}}`,
				`{"nationalIdentifier":{"regNo":"19800101-2387","countryCode":"SE"},"legalEntity":"consumer",
 "name":"Karl Karlsson","msisdn":"+46709998877","legalAddress":{"addressee":"K","streetAddress":"Vägen 3","city":"Uppsala","zipCode":"75320","countryCode":"SE"}}`,
			} {
				if res := e.Call("POST", "/ledger/customer/v1/4711/customers", write, body); res.Status != http.StatusCreated {
					t.Fatalf("create: %d %s", res.Status, res.Body)
				}
			}
			no := e.Call("GET", "/ledger/customer/v1/4711/customers?name=Karl", write, "").JSON(t)["items"].([]any)[0].(map[string]any)["customerNo"].(string)
			if res := e.Call("PATCH", "/ledger/customer/v1/4711/customers/"+no, write, `{"legalStatus":"deceased"}`); res.Status != http.StatusOK {
				t.Fatalf("deceased: %d %s", res.Status, res.Body)
			}
			reg := e.Token("4711", customer.ScopeWrite, customer.ScopeRegister)
			path := "/v1/clients/4711/lookup/customer"
			for _, body := range []string{
				`{"lookupField":"IdentificationNumber","lookupValue":"19811218-9876"}`,
				`{"lookupField":"PhoneNumber","lookupValue":"+46701112233"}`,
				`{"lookup":{"type":"IdentificationNumber","value":"811218-9876"}}`,
				`{"lookupField":"IdentificationNumber","lookupValue":"19800101-2387"}`,
				`{"lookupField":"PhoneNumber","lookupValue":"+46709998877"}`,
			} {
				res := e.Call("POST", path, reg, body)
				errBody(t, res, http.StatusNotFound, "BusinessError")
				if strings.Contains(string(res.Body), "Storgatan") || strings.Contains(string(res.Body), "Svensson") {
					t.Fatalf("disclosed: %s", res.Body)
				}
			}
			for _, id := range []string{"19811218-9876", "19800101-2387"} {
				cs, err := e.Kund.Service.CustomersByNationalID(context.Background(), "4711", customer.NationalID{RegNo: id, CountryCode: "SE"})
				if err != nil || len(cs) != 1 {
					t.Fatalf("customers carrying %s: %d %v, want the one", id, len(cs), err)
				}
			}
			ls, err := e.Store.RegisterLookups(context.Background(), "4711", nil, 0, 100)
			if err != nil || len(ls) != 5 {
				t.Fatalf("disclosure log: %d %v", len(ls), err)
			}
			for _, l := range ls {
				if l.Source != register.SourceCustomers || l.Outcome != register.OutcomeWithheld {
					t.Fatalf("the register was asked about a withheld person: %+v", l)
				}
			}
		})
	}
}

// TestCreatingNeedsWrite: a token with customers:read and register may look
// up, but creating a customer from the register needs customers:write as
// well; without it the register is not asked.
func TestCreatingNeedsWrite(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := start(t, b)
			e.Ledger("4711", "SE", customer.NumbersGenerated)
			path := "/v1/clients/4711/lookup/customer"
			body := `{"lookupField":"IdentificationNumber","lookupValue":"19811218-9876"}`
			errBody(t, e.Call("POST", path, e.Token("4711", customer.ScopeRead, customer.ScopeRegister), body), http.StatusNotFound, "BusinessError")
			if cs, _ := e.Kund.Service.CustomersByNationalID(context.Background(), "4711", customer.NationalID{RegNo: "19811218-9876", CountryCode: "SE"}); len(cs) != 0 {
				t.Fatalf("created without customers:write: %d", len(cs))
			}
			ls, _ := e.Store.RegisterLookups(context.Background(), "4711", nil, 0, 100)
			if len(ls) != 1 || ls[0].Source != register.SourceCustomers {
				t.Fatalf("disclosure log: %+v", ls)
			}
			if res := e.Call("POST", path, e.Token("4711", customer.ScopeWrite, customer.ScopeRegister), body); res.Status != http.StatusCreated {
				t.Fatalf("with customers:write and register: %d %s", res.Status, res.Body)
			}
		})
	}
}

// TestProblemsNameRivertyFields: a problem of the domain reaches a Riverty
// client under Riverty's field names, never the native API's.
func TestProblemsNameRivertyFields(t *testing.T) {
	e := start(t, apitest.SQLite)
	e.Ledger("L1", "SE", customer.NumbersClient)
	reg := e.Token("L1", customer.ScopeWrite, customer.ScopeRegister)
	res := e.Call("POST", "/v1/clients/L1/lookup/customer", reg, `{"customerNumber":"not a number!","lookup":{"type":"IdentificationNumber","value":"19811218-9876"}}`)
	errBody(t, res, http.StatusBadRequest, "BusinessError")
	if body := string(res.Body); !strings.Contains(body, "customerNumber:") || strings.Contains(body, "customerNo:") {
		t.Fatalf("problem: %s", body)
	}
}
