package frontpayment_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
)

// norwegian is a valid Norwegian personal number for the tests.
func norwegian(t *testing.T) string {
	for serial := 100; ; serial++ {
		if no, ok := nordic.PersonalNumber("NO", time.Date(1985, 3, 14, 0, 0, 0, 0, time.UTC), serial); ok {
			return no
		}
	}
}

func body(regNo string, protected bool, entity string) string {
	return `{"customerNo":"1","nationalIdentifier":{"regNo":"` + regNo + `","countryCode":"NO"},
 "legalEntity":"` + entity + `","name":"Kari Nordmann","emailAddress":"kari@example.no","msisdn":"+4791234567",
 "protectedIdentity":` + map[bool]string{false: "false", true: "true"}[protected] + `,
 "legalAddress":{"addressee":"Kari Nordmann","streetAddress":"Sjøhusbakken 42","city":"Stavanger","zipCode":"4313","countryCode":"NO"},
 "billingAddress":{"addressee":"Kari Nordmann","streetAddress":"Luramyrveien 65","city":"Sandnes","zipCode":"4313","countryCode":"NO"}}`
}

func TestSeedExample(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.Start(t, b)
			e.Ledger("L1", "NO", customer.NumbersClient)
			e.Ledger("L2", "NO", customer.NumbersClient)
			write := e.Token("L1", customer.ScopeWrite)
			read := e.Token("L1", customer.ScopeRead)
			regNo := norwegian(t)
			res := e.Call("POST", "/ledger/customer/v1/L1/customers", write, body(regNo, false, "consumer"))
			if res.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			c, err := e.Kund.Service.Customer(context.Background(), "L1", "1")
			if err != nil {
				t.Fatal(err)
			}
			res = e.Call("GET", "/api/v1/connect/customers/details/"+c.UUID, read, "")
			if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("details: %d %s", res.Status, res.Body)
			}
			want := map[string]any{
				"status_code": 200.0, "status_message": "OK", "message": "customerDetailsRetrievedSuccessfully", "is_data": true,
				"data": map[string]any{
					"uuid": c.UUID, "type": "Private", "name": "Kari Nordmann", "countryCode": "+47", "msisdn": "91234567",
					"organizationId": nil, "personalNumber": regNo, "email": "kari@example.no", "preferredLanguage": nil,
					"status": "Active",
					"addresses": map[string]any{
						"billing":  map[string]any{"uuid": c.BillingAddress.UUID, "street": "Luramyrveien 65", "zip": "4313", "city": "Sandnes", "country": "NO"},
						"shipping": map[string]any{"uuid": c.LegalAddress.UUID, "street": "Sjøhusbakken 42", "zip": "4313", "city": "Stavanger", "country": "NO"},
					},
				},
			}
			if got := res.JSON(t); !reflect.DeepEqual(got, want) {
				t.Fatalf("details:\n got %v\nwant %v", got, want)
			}
			if !strings.HasPrefix(c.BillingAddress.UUID, "ADRS") || !strings.HasPrefix(c.UUID, "CSRT") {
				t.Fatalf("uuids: %s %s", c.UUID, c.BillingAddress.UUID)
			}

			// Without a billing address, billing is the legal address.
			res = e.Call("DELETE", "/ledger/customer/v1/L1/customers/1/billing-address", write, "")
			if res.Status != http.StatusNoContent {
				t.Fatalf("delete billing: %d %s", res.Status, res.Body)
			}
			d := e.Call("GET", "/api/v1/connect/customers/details/"+c.UUID, read, "").JSON(t)["data"].(map[string]any)
			addrs := d["addresses"].(map[string]any)
			if !reflect.DeepEqual(addrs["billing"], addrs["shipping"]) || addrs["billing"].(map[string]any)["uuid"] != c.LegalAddress.UUID {
				t.Fatalf("billing falls back to legal: %v", addrs)
			}

			notFound := map[string]any{"status_code": 404.0, "status_message": "Not Found", "message": "customerNotFound", "is_data": false, "data": nil}
			for _, uuid := range []string{"CSRT0000000000", "nonsense", c.UUID} {
				tok := read
				if uuid == c.UUID {
					// Another ledger's token never sees L1's customer.
					tok = e.Token("L2", customer.ScopeRead)
				}
				res := e.Call("GET", "/api/v1/connect/customers/details/"+uuid, tok, "")
				if res.Status != 404 || !reflect.DeepEqual(res.JSON(t), notFound) {
					t.Fatalf("not found %s: %d %s", uuid, res.Status, res.Body)
				}
			}

			res = e.Call("GET", "/api/v1/connect/customers/details/"+c.UUID, "", "")
			if res.Status != 401 || res.JSON(t)["status_code"] != 401.0 || res.JSON(t)["is_error"] != true {
				t.Fatalf("no token: %d %s", res.Status, res.Body)
			}
			res = e.Call("GET", "/api/v1/connect/customers/details/"+c.UUID, e.Token("L1", customer.ScopeKYC), "")
			if res.Status != 403 || res.JSON(t)["status_code"] != 403.0 {
				t.Fatalf("no scope: %d %s", res.Status, res.Body)
			}
		})
	}
}

func TestProtectedAndCorporate(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	e.Ledger("L1", "NO", customer.NumbersClient)
	write := e.Token("L1", customer.ScopeWrite)
	res := e.Call("POST", "/ledger/customer/v1/L1/customers", write, body(norwegian(t), true, "consumer"))
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	if res := e.Call("PATCH", "/ledger/customer/v1/L1/customers/1", write, `{"preferredLanguageCode":"NO"}`); res.Status != 200 {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	c, _ := e.Kund.Service.Customer(context.Background(), "L1", "1")
	d := e.Call("GET", "/api/v1/connect/customers/details/"+c.UUID, write, "").JSON(t)["data"].(map[string]any)
	if d["personalNumber"] != nil || d["organizationId"] != nil {
		t.Fatalf("a protected identity is disclosed: %v", d)
	}
	if d["preferredLanguage"] != "NO" {
		t.Fatalf("preferredLanguage: %v", d["preferredLanguage"])
	}

	var org string
	for serial, ok := 12345, false; !ok; serial++ {
		org, ok = nordic.OrganisationNumber("NO", serial)
	}
	b := strings.Replace(strings.Replace(body(org, false, "business"), `"customerNo":"1"`, `"customerNo":"2"`, 1), "Kari Nordmann", "Nordmann AS", -1)
	res = e.Call("POST", "/ledger/customer/v1/L1/customers", write, b)
	if res.Status != http.StatusCreated {
		t.Fatalf("create business: %d %s", res.Status, res.Body)
	}
	c, _ = e.Kund.Service.Customer(context.Background(), "L1", "2")
	var got struct {
		Data struct {
			Type           string
			OrganizationID *string
			PersonalNumber *string
		}
	}
	json.Unmarshal(e.Call("GET", "/api/v1/connect/customers/details/"+c.UUID, write, "").Body, &got)
	if got.Data.Type != "Corporate" || got.Data.OrganizationID == nil || *got.Data.OrganizationID != org || got.Data.PersonalNumber != nil {
		t.Fatalf("business: %+v", got.Data)
	}
}

// TestProtectedPersonIsWithheld: of a customer under protected identity
// the dialect shows neither address (street, zip, city), nor e-mail, nor
// phone, nor identity number anywhere in the body; the withheld strings
// are "" as for an absent value (the seed types them String, not
// String|null) and the numbers null. Issue 14, item 9.
func TestProtectedPersonIsWithheld(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := apitest.Start(t, b)
			e.Ledger("L1", "NO", customer.NumbersClient)
			write := e.Token("L1", customer.ScopeWrite)
			read := e.Token("L1", customer.ScopeRead)
			regNo := norwegian(t)
			res := e.Call("POST", "/ledger/customer/v1/L1/customers", write, `{"customerNo":"7",
			 "nationalIdentifier":{"regNo":"`+regNo+`","countryCode":"NO"},"name":"Kari Nordmann",
			 "emailAddress":"kari.hidden@example.no","msisdn":"+4791234567","protectedIdentity":true,"preferredLanguageCode":"NO",
			 "legalAddress":{"addressee":"Kari Nordmann","streetAddress":"Hemmeligveien 7","coAddress":"c/o Skjult","city":"Stavanger","zipCode":"4021","countryCode":"NO"},
			 "billingAddress":{"addressee":"Kari Nordmann","streetAddress":"Postboks 1234 Sentrum","city":"Sandnes","zipCode":"4306","countryCode":"NO"}}`)
			if res.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			c, err := e.Kund.Service.Customer(context.Background(), "L1", "7")
			if err != nil {
				t.Fatal(err)
			}
			res = e.Call("GET", "/api/v1/connect/customers/details/"+c.UUID, read, "")
			if res.Status != 200 {
				t.Fatalf("details: %d %s", res.Status, res.Body)
			}
			for _, secret := range []string{"Hemmeligveien", "Skjult", "Stavanger", `"4021"`, "Postboks", "Sandnes", `"4306"`,
				"kari.hidden", "example.no", "91234567", "+47", regNo} {
				if strings.Contains(string(res.Body), secret) {
					t.Errorf("the body discloses %s of a protected person: %s", secret, res.Body)
				}
			}
			want := map[string]any{
				"status_code": 200.0, "status_message": "OK", "message": "customerDetailsRetrievedSuccessfully", "is_data": true,
				"data": map[string]any{
					"uuid": c.UUID, "type": "Private", "name": "Kari Nordmann", "countryCode": "", "msisdn": "",
					"organizationId": nil, "personalNumber": nil, "email": "", "preferredLanguage": "NO",
					"status": "Active",
					"addresses": map[string]any{
						"billing":  map[string]any{"uuid": c.BillingAddress.UUID, "street": "", "zip": "", "city": "", "country": "NO"},
						"shipping": map[string]any{"uuid": c.LegalAddress.UUID, "street": "", "zip": "", "city": "", "country": "NO"},
					},
				},
			}
			if got := res.JSON(t); !reflect.DeepEqual(got, want) {
				t.Fatalf("details:\n got %v\nwant %v", got, want)
			}
		})
	}
}
