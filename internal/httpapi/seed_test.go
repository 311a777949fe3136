package httpapi_test

// The request examples of the seed (payex-ledger-customer-api.wiki.txt:
// customer, legal-address, billing-address and find-customer), replayed
// against a running Kund. Placeholders of the seed are filled in with
// valid values: regNo "YYYYMMDD-NNNN" becomes Skatteverket's test number
// 19121212-1212, legalEntity "consumer|business" becomes "consumer", and
// the msisdn +91485918841, which is not a valid Indian number, becomes the
// seed's own msisdn example +46720000000 (TestSeedMsisdnIsRefused shows the
// original is refused, naming the field).

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

const (
	seedCreate = `{
 "customerNo" : "9999",
 "nationalIdentifier": {
 "regNo" : "19121212-1212",
 "countryCode" : "SE"
 },
 "vatNo" : "SE101010101001",
 "legalEntity" : "consumer",
 "name" : "Britt-Marie Axelstopp",
 "emailAddress" : "britt@axelstopp.com",
 "msisdn" : "+46720000000",
 "eDIAddressInfo" : {
 "VAN": "ABCXYZ",
 "InterChangeRecipient": "Recipient_ID1",
 "BuyerId": "123456"
 },
 "legalAddress" : {
 "addressee" : "Britt-Marie Axelstopp",
 "streetAddress" : "The street 18",
 "coAddress" : "c/o Jansson",
 "city" : "STOCKHOLM",
 "zipCode" : "15961",
 "countryCode" : "SE"
 },
 "distributionType": "postal",
 "taxIdentificationNumber" : "123456789"
}`

	seedCreateWithBilling = `{
 "customerNo" : "9999",
 "nationalIdentifier": {
 "regNo" : "19121212-1212",
 "countryCode" : "SE"
 },
 "vatNo" : "SE101010101001",
 "legalEntity" : "consumer",
 "name" : "Britt-Marie Axelstopp",
 "emailAddress" : "britt@axelstopp.com",
 "msisdn" : "+46720000000",
 "eDIAddressInfo" : {
 "VAN": "ABCXYZ",
 "InterChangeRecipient": "Recipient_ID1",
 "BuyerId": "123456"
 },
 "legalAddress" : {
 "addressee" : "Britt-Marie Axelstopp",
 "streetAddress" : "The street 18",
 "coAddress" : "c/o Jansson",
 "city" : "STOCKHOLM",
 "zipCode" : "15961",
 "countryCode" : "SE"
 },
 "billingAddress" : {
 "addressee" : "Kalle Axelstopp",
 "streetAddress" : "Axelgatan 18",
 "city" : "STOCKHOLM",
 "zipCode" : "16872",
 "countryCode" : "SE"
 }
}`

	seedAddress = `{
 "addressee" : "Kalle Axelstopp",
 "streetAddress" : "Axelgatan 18",
 "city" : "STOCKHOLM",
 "zipCode" : "16872",
 "countryCode" : "SE"
}`

	seedFind = `{
 "nationalIdentifier": {
 "regNo" : "19121212-1212",
 "countryCode" : "SE"
 }
}`
)

const (
	ledgerPath = "/ledger/customer/v1/XXX"
	custPath   = ledgerPath + "/customers/9999"
)

var uuidPattern = regexp.MustCompile(`^CSRT[0-9]{10}$`)

// withoutUUID checks the customer's uuid and removes it, so the rest can be
// compared with the seed (which has no uuid).
func withoutUUID(t *testing.T, body []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	u, _ := m["uuid"].(string)
	if !uuidPattern.MatchString(u) {
		t.Fatalf("uuid %q is not CSRT and 10 digits", u)
	}
	delete(m, "uuid")
	out, _ := json.Marshal(m)
	return out
}

func seedLedger(e *apitest.Env) string {
	e.Ledger("XXX", "SE", customer.NumbersClient)
	return e.Token("XXX", customer.ScopeRead, customer.ScopeWrite)
}

func TestSeedCreateCustomer(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		res := e.Call("POST", ledgerPath+"/customers", tok, seedCreate)
		want(t, res, http.StatusCreated)
		jsonEqual(t, res.Body, `{"@id":"/ledger/customer/v1/XXX/customers/9999","customerNo":"9999"}`)
		if loc := res.Header.Get("Location"); loc != custPath {
			t.Fatalf("Location: got %q, want %q", loc, custPath)
		}

		res = e.Call("GET", custPath, tok, "")
		want(t, res, http.StatusOK)
		jsonEqual(t, withoutUUID(t, res.Body), `{
 "@id" : "/ledger/customer/v1/XXX/customers/9999",
 "customerNo" : "9999",
 "nationalIdentifier": {"regNo" : "19121212-1212", "countryCode" : "SE"},
 "vatNo" : "SE101010101001",
 "legalEntity" : "consumer",
 "name" : "Britt-Marie Axelstopp",
 "emailAddress" : "britt@axelstopp.com",
 "protectedIdentity": false,
 "legalStatus": "active",
 "msisdn" : "+46720000000",
 "distributionType": "postal",
 "taxIdentificationNumber" : "123456789",
 "activeConsents": [],
 "eDIAddressInfo" : {"VAN": "ABCXYZ", "InterChangeRecipient": "Recipient_ID1", "BuyerId": "123456"},
 "legalAddress" : "/ledger/customer/v1/XXX/customers/9999/legal-address",
 "surpluses": "/ledger/customer/v1/XXX/customers/9999/surpluses",
 "operations" : [
  {"rel": "partial-update-customer", "method": "PATCH", "href": "/ledger/customer/v1/XXX/customers/9999"},
  {"rel": "add-billing-address", "method": "POST", "href": "/ledger/customer/v1/XXX/customers/9999/billing-address"}
 ]
}`)
		if res.Header.Get("ETag") == "" {
			t.Fatal("GET customer has no ETag")
		}

		// The same number again.
		problem(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusConflict, customer.ECUSTOMEREXISTS)
	})
}

func TestSeedCreateWithBillingAndExpand(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreateWithBilling), http.StatusCreated)
		expanded := `{
 "@id" : "/ledger/customer/v1/XXX/customers/9999",
 "customerNo" : "9999",
 "nationalIdentifier": {"regNo" : "19121212-1212", "countryCode" : "SE"},
 "vatNo" : "SE101010101001",
 "legalEntity" : "consumer",
 "name" : "Britt-Marie Axelstopp",
 "emailAddress" : "britt@axelstopp.com",
 "protectedIdentity": false,
 "legalStatus": "active",
 "msisdn" : "+46720000000",
 "activeConsents": [],
 "eDIAddressInfo" : {"VAN": "ABCXYZ", "InterChangeRecipient": "Recipient_ID1", "BuyerId": "123456"},
 "legalAddress" : {
  "addressee" : "Britt-Marie Axelstopp", "streetAddress" : "The street 18", "coAddress" : "c/o Jansson",
  "city" : "STOCKHOLM", "zipCode" : "15961", "countryCode" : "SE", "source" : "customer",
  "operations" : [{"rel" : "update", "href" : "/ledger/customer/v1/XXX/customers/9999/legal-address", "method" : "PUT"}]
 },
 "surpluses": "/ledger/customer/v1/XXX/customers/9999/surpluses",
 "billingAddress" : {
  "addressee" : "Kalle Axelstopp", "streetAddress" : "Axelgatan 18", "city" : "STOCKHOLM", "zipCode" : "16872", "countryCode" : "SE",
  "operations" : [
   {"rel" : "update", "href" : "/ledger/customer/v1/XXX/customers/9999/billing-address", "method" : "PUT"},
   {"rel" : "delete", "href" : "/ledger/customer/v1/XXX/customers/9999/billing-address", "method" : "DELETE"}
  ]
 },
 "operations" : [{"rel": "partial-update-customer", "method": "PATCH", "href": "/ledger/customer/v1/XXX/customers/9999"}]
}`
		for _, q := range []string{"$expand=legaladdress,billingaddress", "$expand=BillingAddress,LegalAddress", "$expand=legaladdress&$expand=billingaddress"} {
			res := e.Call("GET", custPath+"?"+q, tok, "")
			want(t, res, http.StatusOK)
			jsonEqual(t, withoutUUID(t, res.Body), expanded)
		}

		res := e.Call("GET", custPath+"?$expand=LEGALADDRESS", tok, "")
		want(t, res, http.StatusOK)
		m := res.JSON(t)
		if _, ok := m["legalAddress"].(map[string]any); !ok {
			t.Fatalf("legalAddress not expanded: %v", m["legalAddress"])
		}
		if m["billingAddress"] != custPath+"/billing-address" {
			t.Fatalf("billingAddress must stay a link: %v", m["billingAddress"])
		}
		problem(t, e.Call("GET", custPath+"?$expand=surpluses,legaladdress", tok, ""), http.StatusBadRequest, customer.EVALIDATION, "$expand")
	})
}

func TestSeedPatchCustomer(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, `{"customerNo":"9999","name":"Britt-Marie Axelstopp",
			"legalAddress":{"addressee":"Britt-Marie Axelstopp","city":"STOCKHOLM","zipCode":"15961","countryCode":"SE"}}`), http.StatusCreated)

		// Update all properties.
		res := e.Call("PATCH", custPath, tok, `{
 "emailAddress" : "britt@axelstopp.com",
 "protectedIdentity": false,
 "preferredLanguageCode": "SV",
 "legalStatus": "active",
 "msisdn" : "+46720000000",
 "eDIAddressInfo" : {
 "VAN": "ABCXYZ",
 "InterChangeRecipient": "Recipient_ID1",
 "BuyerId": "123456"
 },
 "distributionType": "postal",
 "taxIdentificationNumber" : "987654321"
}`)
		want(t, res, http.StatusOK)
		jsonEqual(t, withoutUUID(t, res.Body), `{
 "@id" : "/ledger/customer/v1/XXX/customers/9999", "customerNo" : "9999", "legalEntity" : "consumer",
 "name" : "Britt-Marie Axelstopp", "emailAddress" : "britt@axelstopp.com", "protectedIdentity": false,
 "preferredLanguageCode": "SV", "legalStatus": "active", "msisdn" : "+46720000000", "distributionType": "postal",
 "taxIdentificationNumber" : "987654321", "activeConsents": [],
 "eDIAddressInfo" : {"VAN": "ABCXYZ", "InterChangeRecipient": "Recipient_ID1", "BuyerId": "123456"},
 "legalAddress" : "/ledger/customer/v1/XXX/customers/9999/legal-address",
 "surpluses": "/ledger/customer/v1/XXX/customers/9999/surpluses",
 "operations" : [
  {"rel": "partial-update-customer", "method": "PATCH", "href": "/ledger/customer/v1/XXX/customers/9999"},
  {"rel": "add-billing-address", "method": "POST", "href": "/ledger/customer/v1/XXX/customers/9999/billing-address"}
 ]}`)

		// Update only emailAddress: nothing else changes.
		res = e.Call("PATCH", custPath, tok, `{"emailAddress" : "kalle@axelstopp.com"}`)
		want(t, res, http.StatusOK)
		m := res.JSON(t)
		if m["emailAddress"] != "kalle@axelstopp.com" || m["msisdn"] != "+46720000000" || m["taxIdentificationNumber"] != "987654321" {
			t.Fatalf("only emailAddress should change: %s", res.Body)
		}

		// Update emailAddress and delete msisdn.
		res = e.Call("PATCH", custPath, tok, `{"emailAddress" : "britt@axelstopp.com", "msisdn" : null}`)
		want(t, res, http.StatusOK)
		m = e.Call("GET", custPath, tok, "").JSON(t)
		if _, ok := m["msisdn"]; ok || m["emailAddress"] != "britt@axelstopp.com" {
			t.Fatalf("msisdn must be removed and email set: %v", m)
		}

		// Remove EDIAddressInfo on a customer.
		want(t, e.Call("PATCH", custPath, tok, `{"eDIAddressInfo" : null}`), http.StatusOK)
		m = e.Call("GET", custPath, tok, "").JSON(t)
		if _, ok := m["eDIAddressInfo"]; ok {
			t.Fatalf("eDIAddressInfo must be removed: %v", m)
		}

		// eDIAddressInfo merges property by property; BuyerId stays required.
		want(t, e.Call("PATCH", custPath, tok, `{"eDIAddressInfo" : {"BuyerId": "1"}}`), http.StatusOK)
		res = e.Call("PATCH", custPath, tok, `{"eDIAddressInfo" : {"van": "V2"}}`)
		want(t, res, http.StatusOK)
		jsonEqual(t, mustJSON(t, res.JSON(t)["eDIAddressInfo"]), `{"VAN":"V2","BuyerId":"1"}`)
		problem(t, e.Call("PATCH", custPath, tok, `{"eDIAddressInfo" : {"BuyerId": null}}`), http.StatusBadRequest,
			customer.EVALIDATION, "eDIAddressInfo.BuyerId")

		// null removes the other optional properties too.
		res = e.Call("PATCH", custPath, tok, `{"emailAddress":null,"preferredLanguageCode":null,"distributionType":null,
			"taxIdentificationNumber":null,"protectedIdentity":null}`)
		want(t, res, http.StatusOK)
		m = res.JSON(t)
		for _, k := range []string{"emailAddress", "preferredLanguageCode", "distributionType", "taxIdentificationNumber"} {
			if _, ok := m[k]; ok {
				t.Fatalf("%s must be removed: %s", k, res.Body)
			}
		}
		if m["protectedIdentity"] != false {
			t.Fatalf("protectedIdentity null must read as false: %s", res.Body)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSeedPatchRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		before := e.Call("GET", custPath, tok, "")

		for _, tt := range []struct{ body, field string }{
			{`{"name":"Other"}`, "name"},
			{`{"customerNo":"1"}`, "customerNo"},
			{`{"nationalIdentifier":null}`, "nationalIdentifier"},
			{`{"vatNo":"SE101010101001"}`, "vatNo"},
			{`{"legalEntity":"business"}`, "legalEntity"},
			{`{"legalAddress":{"city":"X"}}`, "legalAddress"},
			{`{"billingAddress":null}`, "billingAddress"},
			{`{"activeConsents":[]}`, "activeConsents"},
			{`{"favouriteColour":"blue"}`, "favouriteColour"},
			{`{"legalStatus":"zombie"}`, "legalStatus"},
			{`{"legalStatus":null}`, "legalStatus"},
			{`{"preferredLanguageCode":"DE"}`, "preferredLanguageCode"},
			{`{"distributionType":"pigeon"}`, "distributionType"},
			{`{"emailAddress":"no-at-sign"}`, "emailAddress"},
			{`{"msisdn":"0701234567"}`, "msisdn"},
			{`{"protectedIdentity":"yes"}`, "protectedIdentity"},
			{`{"taxIdentificationNumber":"123456789012345678901"}`, "taxIdentificationNumber"},
			{`{"eDIAddressInfo":{"InterChangeRecipient":"12345678901234"}}`, "eDIAddressInfo.InterChangeRecipient"},
		} {
			// A valid property beside the bad one must not be applied either.
			body := strings.Replace(tt.body, "{", `{"emailAddress":"changed@example.com",`, 1)
			if tt.field == "emailAddress" {
				body = tt.body
			}
			problem(t, e.Call("PATCH", custPath, tok, body), http.StatusBadRequest, customer.EVALIDATION, tt.field)
		}
		after := e.Call("GET", custPath, tok, "")
		if string(after.Body) != string(before.Body) || after.Header.Get("ETag") != before.Header.Get("ETag") {
			t.Fatalf("a refused PATCH changed the customer:\nbefore %s\nafter  %s", before.Body, after.Body)
		}
		// Read-only properties of the representation are ignored.
		want(t, e.Call("PATCH", custPath, tok, `{"@id":"x","operations":[],"emailAddress":"ok@example.com"}`), http.StatusOK)
		problem(t, e.Call("PATCH", ledgerPath+"/customers/1234", tok, `{"emailAddress":"ok@example.com"}`),
			http.StatusNotFound, customer.ECUSTOMERNOTFOUND)
	})
}

func TestSeedMsisdnIsRefused(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		body := strings.Replace(seedCreate, "+46720000000", "+91485918841", 1)
		problem(t, e.Call("POST", ledgerPath+"/customers", tok, body), http.StatusBadRequest, customer.EVALIDATION, "msisdn")
	})
}

func TestSeedLegalAddress(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		res := e.Call("GET", custPath+"/legal-address", tok, "")
		want(t, res, http.StatusOK)
		jsonEqual(t, res.Body, `{
 "addressee" : "Britt-Marie Axelstopp", "streetAddress" : "The street 18", "coAddress" : "c/o Jansson",
 "city" : "STOCKHOLM", "zipCode" : "15961", "countryCode" : "SE", "source" : "customer",
 "operations" : [{"rel" : "update", "href" : "/ledger/customer/v1/XXX/customers/9999/legal-address", "method" : "PUT"}]}`)
		etag := res.Header.Get("ETag")

		res = e.Call("PUT", custPath+"/legal-address", tok, seedAddress)
		want(t, res, http.StatusOK)
		put := `{"addressee" : "Kalle Axelstopp", "streetAddress" : "Axelgatan 18", "city" : "STOCKHOLM", "zipCode" : "16872",
 "countryCode" : "SE", "source" : "customer", "operations" : [{"rel" : "update", "href" : "/ledger/customer/v1/XXX/customers/9999/legal-address", "method" : "PUT"}]}`
		jsonEqual(t, res.Body, put)
		res = e.Call("GET", custPath+"/legal-address", tok, "")
		jsonEqual(t, res.Body, put)
		if res.Header.Get("ETag") == etag {
			t.Fatal("the ETag did not change with the address")
		}

		// PUT replaces: a missing coAddress is gone, zip codes lose their spaces.
		res = e.Call("PUT", custPath+"/legal-address", tok, `{"addressee":"A","city":"OSLO","zipCode":" 01 50 ","countryCode":"no"}`)
		want(t, res, http.StatusOK)
		jsonEqual(t, res.Body, `{"addressee":"A","city":"OSLO","zipCode":"0150","countryCode":"NO","source":"customer",
 "operations" : [{"rel" : "update", "href" : "/ledger/customer/v1/XXX/customers/9999/legal-address", "method" : "PUT"}]}`)

		problem(t, e.Call("PUT", custPath+"/legal-address", tok, `{"addressee":"A","city":"STOCKHOLM","zipCode":"0150","countryCode":"SE"}`),
			http.StatusBadRequest, customer.EVALIDATION, "zipCode")
		problem(t, e.Call("PUT", custPath+"/legal-address", tok, `{"streetAddress":"x"}`),
			http.StatusBadRequest, customer.EVALIDATION, "addressee", "city", "zipCode", "countryCode")
		problem(t, e.Call("PUT", custPath+"/legal-address", tok, `{"addressee":"A","city":"X","zipCode":"1","countryCode":"XX"}`),
			http.StatusBadRequest, customer.EVALIDATION, "countryCode")
		problem(t, e.Call("PUT", custPath+"/legal-address", tok, `{"addressee":"`+strings.Repeat("a", 73)+`","city":"`+strings.Repeat("b", 28)+`","zipCode":"1234567890","countryCode":"DE"}`),
			http.StatusBadRequest, customer.EVALIDATION, "addressee", "city", "zipCode")
		// Structural problems (unknown properties, wrong JSON types) are
		// reported before the values are checked.
		problem(t, e.Call("PUT", custPath+"/legal-address", tok, `{"addressee":1,"city":"X","zipCode":"1","countryCode":"XX","floor":3}`),
			http.StatusBadRequest, customer.EVALIDATION, "addressee", "floor")
		problem(t, e.Call("GET", ledgerPath+"/customers/1/legal-address", tok, ""), http.StatusNotFound, customer.ECUSTOMERNOTFOUND)
	})
}

func TestSeedBillingAddress(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		billing := custPath + "/billing-address"
		problem(t, e.Call("GET", billing, tok, ""), http.StatusNotFound, customer.EBILLINGNOTFOUND)
		problem(t, e.Call("PUT", billing, tok, seedAddress), http.StatusNotFound, customer.EBILLINGNOTFOUND)
		problem(t, e.Do(apitest.Request{Method: "DELETE", Path: billing, Token: tok}), http.StatusNotFound, customer.EBILLINGNOTFOUND)

		res := e.Call("POST", billing, tok, seedAddress)
		want(t, res, http.StatusCreated)
		if loc := res.Header.Get("Location"); loc != billing {
			t.Fatalf("Location: got %q", loc)
		}
		rep := `{"addressee" : "Kalle Axelstopp", "streetAddress" : "Axelgatan 18", "city" : "STOCKHOLM", "zipCode" : "16872", "countryCode" : "SE",
 "operations" : [
  {"rel" : "update", "href" : "/ledger/customer/v1/XXX/customers/9999/billing-address", "method" : "PUT"},
  {"rel" : "delete", "href" : "/ledger/customer/v1/XXX/customers/9999/billing-address", "method" : "DELETE"}]}`
		jsonEqual(t, res.Body, rep)
		jsonEqual(t, e.Call("GET", billing, tok, "").Body, rep)
		problem(t, e.Call("POST", billing, tok, seedAddress), http.StatusConflict, customer.EBILLINGEXISTS)

		// The customer no longer offers add-billing-address.
		m := e.Call("GET", custPath, tok, "").JSON(t)
		if m["billingAddress"] != billing || strings.Contains(string(mustJSON(t, m["operations"])), "add-billing-address") {
			t.Fatalf("customer after POST billing-address: %v", m)
		}

		res = e.Call("PUT", billing, tok, `{"addressee":"Kalle Axelstopp","streetAddress":"Axelgatan 19","coAddress":"c/o Jansson","city":"STOCKHOLM","zipCode":"16873","countryCode":"SE"}`)
		want(t, res, http.StatusOK)
		if m := res.JSON(t); m["streetAddress"] != "Axelgatan 19" || m["coAddress"] != "c/o Jansson" {
			t.Fatalf("PUT billing-address: %s", res.Body)
		}

		// The seed's DELETE sends an empty object.
		res = e.Call("DELETE", billing, tok, "{\n}")
		want(t, res, http.StatusNoContent)
		problem(t, e.Call("GET", billing, tok, ""), http.StatusNotFound, customer.EBILLINGNOTFOUND)
		if m := e.Call("GET", custPath, tok, "").JSON(t); m["billingAddress"] != nil {
			t.Fatalf("billingAddress link after DELETE: %v", m["billingAddress"])
		}
		problem(t, e.Call("POST", billing, tok, `{"addressee":"A"}`), http.StatusBadRequest, customer.EVALIDATION, "city", "zipCode", "countryCode")
	})
}

func TestSeedFindCustomer(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		find := ledgerPath + "/find-customer"
		problem(t, e.Call("POST", find, tok, seedFind), http.StatusNotFound, customer.ECUSTOMERNOTFOUND)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)

		res := e.Call("POST", find, tok, seedFind)
		want(t, res, http.StatusOK)
		jsonEqual(t, res.Body, `{"@id" : "/ledger/customer/v1/XXX/customers/9999", "customerNo" : "9999"}`)

		// Any accepted spelling of the number finds the canonical one; a
		// 10-digit number of someone 100 or older carries '+'.
		for _, regNo := range []string{"191212121212", "121212+1212", " 19121212-1212 "} {
			res = e.Call("POST", find, tok, `{"nationalIdentifier":{"regNo":"`+regNo+`","countryCode":"se"}}`)
			want(t, res, http.StatusOK)
		}

		problem(t, e.Call("POST", find, tok, `{"nationalIdentifier":{"regNo":"19121212-1213","countryCode":"SE"}}`),
			http.StatusBadRequest, customer.EVALIDATION, "nationalIdentifier.regNo")
		problem(t, e.Call("POST", find, tok, `{}`), http.StatusBadRequest, customer.EVALIDATION, "nationalIdentifier")
		problem(t, e.Call("POST", find, tok, `{"nationalIdentifier":{}}`), http.StatusBadRequest, customer.EVALIDATION,
			"nationalIdentifier.regNo", "nationalIdentifier.countryCode")

		// Two customers with one number.
		want(t, e.Call("POST", ledgerPath+"/customers", tok, strings.Replace(seedCreate, `"9999"`, `"10000"`, 1)), http.StatusCreated)
		problem(t, e.Call("POST", find, tok, seedFind), http.StatusConflict, customer.EAMBIGUOUS)
	})
}
