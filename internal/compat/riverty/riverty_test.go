package riverty_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/compat/riverty"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

// A register file: one ordinary person, one under protected identity, one
// deceased.
const registerFile = `country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone
SE,19811218-9876,Anna Maria,Svensson,c/o Berg,Storgatan 1,11122,Stockholm,false,false,+46701112233
SE,19121212-1212,Hemlig,Person,,Box 1,11122,Stockholm,true,false,+46701112244
SE,19500101-2383,Död,Person,,Gatan 2,11122,Stockholm,false,true,
`

func start(t *testing.T, b apitest.Backend) *apitest.Env {
	path := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(path, []byte(registerFile), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := register.OpenFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return apitest.StartWith(t, b, func(c *app.Config) { c.Register = f })
}

const native = `{"customerNo":"100","nationalIdentifier":{"regNo":"198001012387","countryCode":"SE"},
 "legalEntity":"consumer","name":"Karl Karlsson","emailAddress":"karl@example.se","msisdn":"+46709998877",
 "legalAddress":{"addressee":"Karl Karlsson","streetAddress":"Vägen 3","coAddress":"c/o Ek","city":"Uppsala","zipCode":"75320","countryCode":"SE"}}`

func errBody(t *testing.T, res *apitest.Response, status int, category string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	var m map[string]string
	if err := json.Unmarshal(res.Body, &m); err != nil || len(m) != 4 || m["type"] == "" || m["title"] == "" || m["details"] == "" || m["category"] != category {
		t.Fatalf("error body must be {type,title,details,category=%s}: %s", category, res.Body)
	}
}

func TestLookupAndCreate(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := start(t, b)
			e.Ledger("4711", "SE", customer.NumbersGenerated)
			write := e.Token("4711", customer.ScopeWrite)
			read := e.Token("4711", customer.ScopeRead)
			reg := e.Token("4711", customer.ScopeWrite, customer.ScopeRegister)
			path := "/v1/clients/4711/lookup/customer"
			if res := e.Call("POST", "/ledger/customer/v1/4711/customers", write, strings.Replace(native, `"customerNo":"100",`, "", 1)); res.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			no := e.Call("GET", "/ledger/customer/v1/4711/customers?name=Karl", write, "").JSON(t)["items"].([]any)[0].(map[string]any)["customerNo"].(string)
			want := map[string]any{
				"_links":         []any{map[string]any{"href": "/v1/clients/4711/customers/" + no, "rel": "self", "method": "GET"}},
				"customerNumber": no, "type": "Person",
				"person":      map[string]any{"firstName": "Karl", "lastName": "Karlsson"},
				"phoneNumber": "+46709998877", "email": "karl@example.se",
				"address": map[string]any{"addressLine": "Vägen 3", "addressLine2": "c/o Ek", "postalCode": "75320", "postalPlace": "Uppsala", "countryCode": "SE"},
			}
			// Every body form finds the native customer: 200.
			for _, body := range []string{
				`{"lookupField":"IdentificationNumber","lookupValue":"19800101-2387"}`,
				`[{"lookupField":"IdentificationNumber","lookupValue":"800101-2387"}]`,
				`{"lookupField":"PhoneNumber","lookupValue":"+46709998877"}`,
				`{"lookup":{"type":"IdentificationNumber","value":"198001012387"}}`,
				`{"customerNumber":"` + no + `","lookup":{"type":"PhoneNumber","value":"+46709998877"}}`,
			} {
				res := e.Call("POST", path, read, body)
				if res.Status != 200 {
					t.Fatalf("%s: %d %s", body, res.Status, res.Body)
				}
				if got := res.JSON(t); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s:\n got %v\nwant %v", body, got, want)
				}
			}

			// Found only in the register: created (201), then found (200).
			body := `{"lookupField":"IdentificationNumber","lookupValue":"19811218-9876"}`
			errBody(t, e.Call("POST", path, read, body), 404, "BusinessError") // no register scope
			res := e.Call("POST", path, reg, body)
			if res.Status != http.StatusCreated {
				t.Fatalf("create from register: %d %s", res.Status, res.Body)
			}
			created := res.JSON(t)
			newNo := created["customerNumber"].(string)
			if created["type"] != "Person" || !reflect.DeepEqual(created["person"], map[string]any{"firstName": "Anna Maria", "lastName": "Svensson"}) ||
				res.Header.Get("Location") != "/v1/clients/4711/customers/"+newNo {
				t.Fatalf("created: %s", res.Body)
			}
			if res := e.Call("POST", path, reg, body); res.Status != 200 || res.JSON(t)["customerNumber"] != newNo {
				t.Fatalf("second lookup: %d %s", res.Status, res.Body)
			}
			// The journal names Riverty and its credential as who created
			// the customer, and the request; lookups journal nothing.
			evs, _, err := e.Kund.Service.Events(context.Background(), "4711", 0, 10, nil, "")
			if err != nil || len(evs) != 2 {
				t.Fatalf("journal: %d events, %v", len(evs), err)
			}
			if ev := evs[1]; ev.Type != customer.EventCustomerCreated || ev.CustomerNo != newNo ||
				ev.Actor != (customer.Actor{Type: customer.ActorRiverty, ID: apitest.TokenID(reg)}) || ev.RequestID != res.Header.Get("Request-Id") {
				t.Fatalf("the create through Riverty journaled %+v", ev)
			}
			// ... and read through the native API, field for field.
			c := e.Call("GET", "/ledger/customer/v1/4711/customers/"+newNo, read, "").JSON(t)
			if c["name"] != "Anna Maria Svensson" || c["msisdn"] != "+46701112233" || c["legalEntity"] != "consumer" ||
				!reflect.DeepEqual(c["nationalIdentifier"], map[string]any{"regNo": "19811218-9876", "countryCode": "SE"}) {
				t.Fatalf("native view of the created customer: %v", c)
			}
			la, _ := e.Kund.Service.Customer(context.Background(), "4711", newNo)
			if la.LegalAddress.StreetAddress != "Storgatan 1" || la.LegalAddress.CoAddress != "c/o Berg" || la.LegalAddress.ZipCode != "11122" || la.LegalAddress.City != "Stockholm" {
				t.Fatalf("legal address: %+v", la.LegalAddress)
			}

			// Protected identity and deceased persons are never disclosed or created.
			for _, v := range []string{"19121212-1212", "19500101-2383", "19900101-2385"} {
				errBody(t, e.Call("POST", path, reg, `{"lookupField":"IdentificationNumber","lookupValue":"`+v+`"}`), 404, "BusinessError")
			}
			errBody(t, e.Call("POST", path, reg, `{"lookupField":"PhoneNumber","lookupValue":"+46701112244"}`), 404, "BusinessError")

			// Every lookup is in the disclosure log under Riverty's purpose
			// (12), those that asked the register (5) as from the register.
			logged, err := e.Store.RegisterLookups(context.Background(), "4711", nil, 0, 100)
			if err != nil || len(logged) != 12 {
				t.Fatalf("disclosure log: %d entries, %v", len(logged), err)
			}
			fromRegister := 0
			for _, l := range logged {
				if l.Purpose != riverty.Purpose || l.TokenID == "" {
					t.Fatalf("disclosure log entry: %+v", l)
				}
				if l.Source == register.SourceRegister {
					fromRegister++
				}
			}
			if fromRegister != 5 {
				t.Fatalf("register lookups in the disclosure log: %d, want 5", fromRegister)
			}

			// Errors.
			errBody(t, e.Call("POST", path, "", body), 401, "TechnicalError")
			errBody(t, e.Call("POST", path, "kund.0000000000000000.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", body), 401, "TechnicalError")
			e.Ledger("4712", "SE", customer.NumbersGenerated)
			errBody(t, e.Call("POST", "/v1/clients/4712/lookup/customer", read, body), 403, "TechnicalError")
			errBody(t, e.Call("POST", path, e.Token("4711", customer.ScopeKYC), body), 403, "TechnicalError")
			for _, bad := range []string{
				`{"lookupField":"Email","lookupValue":"x@y.se"}`,
				`{"lookupField":"IdentificationNumber"}`,
				`{"lookupField":"IdentificationNumber","lookupValue":"19811218-9877"}`,
				`{"lookupField":"PhoneNumber","lookupValue":"070 111"}`,
				`{"lookupField":"PhoneNumber","lookupValue":"+46709998877","extra":1}`,
				`[]`, `nonsense`,
				`{"lookup":{"type":"PhoneNumber"}}`,
			} {
				errBody(t, e.Call("POST", path, reg, bad), 400, "BusinessError")
			}
		})
	}
}

func TestClientNumbersAndCompany(t *testing.T) {
	e := start(t, apitest.SQLite)
	e.Ledger("L1", "SE", customer.NumbersClient)
	reg := e.Token("L1", customer.ScopeWrite, customer.ScopeRegister)
	path := "/v1/clients/L1/lookup/customer"
	// A ledger that chooses its own numbers needs one to create.
	errBody(t, e.Call("POST", path, reg, `{"lookupField":"IdentificationNumber","lookupValue":"19811218-9876"}`), 400, "BusinessError")
	res := e.Call("POST", path, reg, `{"customerNumber":"1001","lookup":{"type":"IdentificationNumber","value":"19811218-9876"}}`)
	if res.Status != 201 || res.JSON(t)["customerNumber"] != "1001" {
		t.Fatalf("create with number: %d %s", res.Status, res.Body)
	}
	company := `{"customerNo":"2001","nationalIdentifier":{"regNo":"556036-0793","countryCode":"SE"},"legalEntity":"business","name":"Bolaget AB",
 "legalAddress":{"addressee":"Bolaget AB","streetAddress":"Box 5","city":"Stockholm","zipCode":"11122","countryCode":"SE"}}`
	if res := e.Call("POST", "/ledger/customer/v1/L1/customers", reg, company); res.Status != 201 {
		t.Fatalf("create company: %d %s", res.Status, res.Body)
	}
	res = e.Call("POST", path, reg, `{"lookupField":"IdentificationNumber","lookupValue":"5560360793"}`)
	m := res.JSON(t)
	if res.Status != 200 || m["type"] != "Company" || m["person"] != nil ||
		!reflect.DeepEqual(m["company"], map[string]any{"name": "Bolaget AB", "organizationNumber": "556036-0793"}) {
		t.Fatalf("company: %d %s", res.Status, res.Body)
	}
}
