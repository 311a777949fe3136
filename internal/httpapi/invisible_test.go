package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

// invisibleProblem checks that res is one validation problem of field whose
// message names the code point.
func invisibleProblem(t *testing.T, res *apitest.Response, field, codePoint string) {
	t.Helper()
	problem(t, res, http.StatusBadRequest, customer.EVALIDATION, field)
	var p struct{ Problems []map[string]string }
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatal(err)
	}
	if msg := p.Problems[0][field]; !strings.Contains(msg, "invisible or control characters ("+codePoint+")") {
		t.Fatalf("%s: got %q, want a message naming %s", field, msg, codePoint)
	}
}

// TestInvisibleCharactersAreRefused: a create or a PATCH whose text holds
// a bidi override, a zero-width space, a byte order mark, a line separator
// or a tag character, sent as UTF-8 or as a JSON escape, is answered 400
// with the field and the code point named, and writes nothing (issue 14,
// item 9).
func TestInvisibleCharactersAreRefused(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		create := func(name, street, co, city, email string) string {
			return `{"customerNo":"1","name":"` + name + `","emailAddress":"` + email + `",
			 "legalAddress":{"addressee":"Britt-Marie Axelstopp","streetAddress":"` + street + `","city":"` + city + `","zipCode":"11122","countryCode":"SE"},
			 "billingAddress":{"addressee":"Britt-Marie Axelstopp","coAddress":"` + co + `","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`
		}
		const name, street, co, city, email = "Åsa Öberg-Ærø", "Östra Ågatan 5", "c/o Jürgensen", "STOCKHOLM", "asa@example.se"
		for _, c := range []struct {
			field, codePoint, body string
		}{
			{"name", "U+202E", create("Åsa \u202Egreb\u00d6", street, co, city, email)},
			{"name", "U+202E", create(`Åsa \u202egreb\u00d6`, street, co, city, email)},
			{"legalAddress.streetAddress", "U+200B", create(name, "Östra\u200B Ågatan 5", co, city, email)},
			{"legalAddress.city", "U+2028", create(name, street, co, `STOCK\u2028HOLM`, email)},
			{"billingAddress.coAddress", "U+FEFF", create(name, street, "c/o \uFEFFJürgensen", city, email)},
			{"name", "U+E0041", create("Åsa\U000E0041 Öberg", street, co, city, email)},
			{"emailAddress", "U+202E", create(name, street, co, city, "asa\u202E@example.se")},
		} {
			invisibleProblem(t, e.Call("POST", ledgerPath+"/customers", tok, c.body), c.field, c.codePoint)
		}
		// Nothing of the refused creates was written.
		problem(t, e.Call("GET", ledgerPath+"/customers/1", tok, ""), http.StatusNotFound, customer.ECUSTOMERNOTFOUND)
		if items := e.Call("GET", ledgerPath+"/customers", tok, "").JSON(t)["items"].([]any); len(items) != 0 {
			t.Fatalf("refused creates were stored: %v", items)
		}

		// Ordinary Nordic text is accepted.
		want(t, e.Call("POST", ledgerPath+"/customers", tok, create(name, street, co, city, email)), http.StatusCreated)
		path := ledgerPath + "/customers/1"
		before := e.Call("GET", path+"?$expand=legaladdress,billingaddress", tok, "")
		want(t, before, http.StatusOK)
		for _, c := range []struct {
			field, codePoint, body string
		}{
			{"emailAddress", "U+202E", `{"emailAddress":"asa@exa\u202Emple.se"}`},
			{"emailAddress", "U+200B", `{"emailAddress":"asa@example.se\u200b"}`},
			{"taxIdentificationNumber", "U+FEFF", `{"taxIdentificationNumber":"123\uFEFF456"}`},
			{"eDIAddressInfo.VAN", "U+2066", `{"eDIAddressInfo":{"VAN":"VAN\u2066","BuyerId":"B1"}}`},
			{"eDIAddressInfo.BuyerId", "U+E007F", "{\"eDIAddressInfo\":{\"BuyerId\":\"B\U000E007F\"}}"},
			{"eDIAddressInfo.BuyerId", "U+E007F", `{"eDIAddressInfo":{"BuyerId":"B\udb40\udc7f"}}`},
		} {
			invisibleProblem(t, e.Call("PATCH", path, tok, c.body), c.field, c.codePoint)
		}
		invisibleProblem(t, e.Call("PUT", path+"/legal-address", tok,
			`{"addressee":"Åsa \u202EÖberg","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}`), "addressee", "U+202E")
		invisibleProblem(t, e.Call("PUT", path+"/products", tok,
			`{"products":[{"productCode":"NEWS\u200b","validTo":"2027-01-01T00:00:00Z"}]}`), "products[0].productCode", "U+200B")
		// Nothing of the refused changes was written.
		after := e.Call("GET", path+"?$expand=legaladdress,billingaddress", tok, "")
		if string(after.Body) != string(before.Body) || after.Header.Get("ETag") != before.Header.Get("ETag") {
			t.Fatalf("a refused request changed the customer:\n%s\n%s", before.Body, after.Body)
		}
		if ps := e.Call("GET", path+"/products", tok, "").JSON(t)["products"].([]any); len(ps) != 0 {
			t.Fatalf("refused products were stored: %v", ps)
		}
	})
}
