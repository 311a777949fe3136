package httpapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

const registerHead = "country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone\n"

// Persons of the hand-written part of the test register.
const (
	britt    = "SE,19811218-9876,Britt-Marie,Axelstopp,c/o Jansson,The street 18,15961,STOCKHOLM,false,false,+46701234567\n"
	tolvan   = "SE,19121212-1212,Tolvan,Tolvansson,,Storgatan 12,11122,STOCKHOLM,false,true,\n"
	hidden   = "SE,19640823-3234,Sara,Lind,c/o Särskild postadress,Box 1234,11122,STOCKHOLM,true,false,\n"
	brittNew = "SE,19811218-9876,Britt-Marie,Axelstopp,,Vasagatan 3,41101,GÖTEBORG,false,false,+46701234567\n"
)

// generated holds the first ordinary person of each country's synthetic
// register, as CSV fields.
type regEnv struct {
	*apitest.Env
	path      string
	generated map[string][]string
	csv       map[string]string
}

// startRegister runs Kund with a file register holding the hand-written
// persons and 200 synthetic ones of each Nordic country.
func startRegister(t *testing.T, b apitest.Backend) *regEnv {
	t.Helper()
	return startRegisterWith(t, b, nil)
}

// startRegisterWith is startRegister with a configuration hook.
func startRegisterWith(t *testing.T, b apitest.Backend, configure func(*app.Config)) *regEnv {
	t.Helper()
	re := &regEnv{path: filepath.Join(t.TempDir(), "persons.csv"), generated: map[string][]string{}, csv: map[string]string{}}
	for _, c := range []string{"SE", "NO", "DK", "FI"} {
		var buf bytes.Buffer
		if err := register.Generate(&buf, register.GenerateOptions{Country: c, Count: 200, Seed: 11}); err != nil {
			t.Fatal(err)
		}
		rows := strings.Split(strings.TrimSpace(buf.String()), "\n")[1:]
		re.csv[c] = strings.Join(rows, "\n") + "\n"
		for _, row := range rows {
			f := strings.Split(row, ",")
			if f[8] == "false" && f[9] == "false" && f[4] == "" {
				re.generated[c] = f
				break
			}
		}
	}
	re.write(t, britt+tolvan+hidden)
	f, err := register.OpenFile(re.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	re.Env = apitest.StartWith(t, b, func(c *app.Config) {
		c.Register = f
		if configure != nil {
			configure(c)
		}
	})
	return re
}

func (re *regEnv) write(t *testing.T, persons string) {
	t.Helper()
	all := registerHead + persons + re.csv["SE"] + re.csv["NO"] + re.csv["DK"] + re.csv["FI"]
	if err := os.WriteFile(re.path, []byte(all), 0o600); err != nil {
		t.Fatal(err)
	}
}

func generateBody(regNo, country, customerNo string) string {
	b, _ := json.Marshal(map[string]any{
		"nationalIdentifier": map[string]string{"regNo": regNo, "countryCode": country},
		"customerNo":         customerNo,
	})
	return string(b)
}

const generatePath = "/ledger/customer/v1/XXX/generate-consumer-customer-by-reg-no"

func TestGenerateConsumerFromRegister(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := startRegister(t, b)
			e.Ledger("XXX", "SE", customer.NumbersClient)
			tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeRead)

			// The seed's example, with a person the register knows.
			res := e.Call("POST", generatePath, tok, `{
 "nationalIdentifier": {
 "regNo" : "198112189876",
 "countryCode" : "SE"
 },
 "emailAddress" : "britt@axelstopp.com",
 "msisdn" : "+46720000000",
 "customerNo" : "9999"
}`)
			want(t, res, 201)
			jsonEqual(t, res.Body, `{"@id":"/ledger/customer/v1/XXX/customers/9999","customerNo":"9999"}`)
			if res.Header.Get("Location") != "/ledger/customer/v1/XXX/customers/9999" {
				t.Fatalf("Location %q", res.Header.Get("Location"))
			}
			res = e.Call("GET", "/ledger/customer/v1/XXX/customers/9999?$expand=legaladdress", tok, "")
			want(t, res, 200)
			c := res.JSON(t)
			if c["name"] != "Britt-Marie Axelstopp" || c["legalEntity"] != "consumer" || c["emailAddress"] != "britt@axelstopp.com" ||
				c["msisdn"] != "+46720000000" || c["protectedIdentity"] != false {
				t.Fatalf("customer %s", res.Body)
			}
			confirmed := e.Now.Truncate(time.Microsecond).Format(time.RFC3339Nano)
			jsonEqual(t, mustJSON(t, c["legalAddress"]), `{"addressee":"Britt-Marie Axelstopp","streetAddress":"The street 18",
				"coAddress":"c/o Jansson","city":"STOCKHOLM","zipCode":"15961","countryCode":"SE",
				"source":"population-register","confirmedAt":"`+confirmed+`","operations":[
				{"rel":"update-legal-address-from-population-register","method":"POST",
				 "href":"/ledger/customer/v1/XXX/customers/9999/legal-address/update-legal-address-from-population-register"}]}`)

			// A synthetic person of every Nordic country.
			for i, country := range []string{"SE", "NO", "DK", "FI"} {
				f := e.generated[country]
				no := "700" + string(rune('1'+i))
				want(t, e.Call("POST", generatePath, tok, generateBody(f[1], country, no)), 201)
				res := e.Call("GET", "/ledger/customer/v1/XXX/customers/"+no+"?$expand=legaladdress", tok, "")
				want(t, res, 200)
				c := res.JSON(t)
				la := c["legalAddress"].(map[string]any)
				if c["name"] != f[2]+" "+f[3] || la["streetAddress"] != f[5] || la["zipCode"] != f[6] || la["city"] != f[7] || la["countryCode"] != country {
					t.Fatalf("%s: register row %v gave %s", country, f, res.Body)
				}
				if id := c["nationalIdentifier"].(map[string]any); id["regNo"] != f[1] || id["countryCode"] != country {
					t.Fatalf("%s: nationalIdentifier %v", country, id)
				}
			}

			// The same customer number again: the create's conflict.
			problem(t, e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "9999")), 409, "customer-already-exists")
		})
	}
}

func TestGenerateProblems(t *testing.T) {
	e := startRegister(t, apitest.SQLite)
	e.Ledger("XXX", "SE", customer.NumbersClient)
	tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeRead)

	problem(t, e.Call("POST", generatePath, tok, generateBody("19900101-0017", "SE", "1")), 404, "person-not-found")
	problem(t, e.Call("POST", generatePath, tok, generateBody("19121212-1212", "SE", "2")), 422, "person-deceased")
	problem(t, e.Call("GET", "/ledger/customer/v1/XXX/customers/2", tok, ""), 404, "customer-not-found")

	// Bad requests are refused before the register is asked.
	problem(t, e.Call("POST", generatePath, tok, generateBody("556016-0680", "SE", "3")), 400, "validation", "nationalIdentifier.regNo")
	problem(t, e.Call("POST", generatePath, tok, generateBody("19811218-9875", "SE", "3")), 400, "validation", "nationalIdentifier.regNo")
	problem(t, e.Call("POST", generatePath, tok, generateBody("12345", "DE", "3")), 400, "validation", "nationalIdentifier.countryCode")
	problem(t, e.Call("POST", generatePath, tok, `{"nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"},"customerNo":"4","emailAddress":"nope","msisdn":"12"}`),
		400, "validation", "emailAddress", "msisdn")
	problem(t, e.Call("POST", generatePath, tok, `{"nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"},"customerNo":"4","name":"X"}`),
		400, "validation", "name")
	problem(t, e.Call("POST", generatePath, tok, `{"customerNo":"4"}`), 400, "validation", "nationalIdentifier")

	// Only scope register may ask the register.
	writer := e.Token("XXX", customer.ScopeWrite)
	problem(t, e.Call("POST", generatePath, writer, generateBody("19811218-9876", "SE", "5")), 403, "forbidden")

	// Two lookups were made (not found, deceased); the refused requests made none.
	res := e.Call("GET", "/ledger/customer/v1/XXX/register-lookups", tok, "")
	want(t, res, 200)
	var page struct {
		Items []struct {
			LookupID    int64  `json:"lookupId"`
			TokenID     string `json:"tokenId"`
			SubjectHash string `json:"subjectHash"`
			Purpose     string `json:"purpose"`
			Source      string `json:"source"`
			Outcome     string `json:"outcome"`
			Time        string `json:"time"`
		} `json:"items"`
	}
	json.Unmarshal(res.Body, &page)
	if len(page.Items) != 2 || page.Items[0].Outcome != "found" || page.Items[1].Outcome != "not-found" || page.Items[0].Source != "register" ||
		page.Items[0].Purpose != "generate-consumer-customer-by-reg-no" || page.Items[0].TokenID == "" ||
		page.Items[0].LookupID <= page.Items[1].LookupID {
		t.Fatalf("disclosure log %s", res.Body)
	}
	if strings.Contains(string(res.Body), "1212") {
		t.Fatalf("the disclosure log shows an identity number: %s", res.Body)
	}
	if _, err := time.Parse(time.RFC3339Nano, page.Items[0].Time); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateProtectedIdentity(t *testing.T) {
	e := startRegister(t, apitest.SQLite)
	e.Ledger("XXX", "SE", customer.NumbersGenerated)
	tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeRead)

	res := e.Call("POST", generatePath, tok, `{"nationalIdentifier":{"regNo":"196408233234","countryCode":"SE"}}`)
	want(t, res, 201)
	no := res.JSON(t)["customerNo"].(string)
	if no != "1000000" {
		t.Fatalf("generated number %q", no)
	}
	res = e.Call("GET", "/ledger/customer/v1/XXX/customers/"+no+"?$expand=legaladdress", tok, "")
	want(t, res, 200)
	c := res.JSON(t)
	la := c["legalAddress"].(map[string]any)
	if c["protectedIdentity"] != true || la["streetAddress"] != "Box 1234" || la["coAddress"] != "c/o Särskild postadress" || c["msisdn"] != nil {
		t.Fatalf("protected person: %s", res.Body)
	}
	// Lists never show addresses, least of all a protected person's.
	res = e.Call("GET", "/ledger/customer/v1/XXX/customers", tok, "")
	want(t, res, 200)
	if strings.Contains(string(res.Body), "Box 1234") {
		t.Fatalf("a list shows the protected address: %s", res.Body)
	}
}

func TestUpdateLegalAddressFromRegister(t *testing.T) {
	e := startRegister(t, apitest.SQLite)
	e.Ledger("XXX", "SE", customer.NumbersClient)
	tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeRead)
	reader := e.Token("XXX", customer.ScopeRead, customer.ScopeWrite)
	want(t, e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "9999")), 201)

	// The operation is offered only to scope register.
	res := e.Call("GET", "/ledger/customer/v1/XXX/customers/9999/legal-address", reader, "")
	want(t, res, 200)
	if strings.Contains(string(res.Body), customer.RelUpdateFromRegister) {
		t.Fatalf("a token without scope register is offered the register: %s", res.Body)
	}
	problem(t, e.Call("POST", "/ledger/customer/v1/XXX/customers/9999/legal-address/update-legal-address-from-population-register", reader, "{}"), 403, "forbidden")

	// Nothing moved: the same address comes back.
	const upd = "/ledger/customer/v1/XXX/customers/9999/legal-address/update-legal-address-from-population-register"
	res = e.Call("POST", upd, tok, "{\n}")
	want(t, res, 200)
	if res.JSON(t)["streetAddress"] != "The street 18" {
		t.Fatalf("%s", res.Body)
	}
	etag := res.Header.Get("ETag")

	// The person moves; the register file changes; the update follows.
	e.write(t, brittNew+tolvan+hidden)
	problem(t, e.Do(apitest.Request{Method: "POST", Path: upd, Token: tok, Header: map[string]string{"If-Match": `"1"`}}), 412, "precondition-failed")
	e.Advance(time.Hour)
	res = e.Do(apitest.Request{Method: "POST", Path: upd, Token: tok, Header: map[string]string{"If-Match": etag}})
	want(t, res, 200)
	confirmed := e.Now.Truncate(time.Microsecond).Format(time.RFC3339Nano)
	jsonEqual(t, res.Body, `{"addressee":"Britt-Marie Axelstopp","streetAddress":"Vasagatan 3","city":"GÖTEBORG","zipCode":"41101","countryCode":"SE",
		"source":"population-register","confirmedAt":"`+confirmed+`",
		"operations":[{"rel":"update-legal-address-from-population-register","method":"POST","href":"`+upd+`"}]}`)

	// An address set by hand is the customer's, not confirmed by anyone;
	// the register's update makes it the register's again.
	res = e.Call("PUT", "/ledger/customer/v1/XXX/customers/9999/legal-address", reader,
		`{"addressee":"Britt-Marie Axelstopp","streetAddress":"Sveavägen 1","city":"STOCKHOLM","zipCode":"11157","countryCode":"SE"}`)
	want(t, res, 200)
	if la := res.JSON(t); la["source"] != "customer" || la["confirmedAt"] != nil {
		t.Fatalf("an address set by PUT: %s", res.Body)
	}

	// The seed's other address of the operation, POST .../legal-address.
	e.write(t, britt+tolvan+hidden)
	res = e.Call("POST", "/ledger/customer/v1/XXX/customers/9999/legal-address", tok, "")
	want(t, res, 200)
	if la := res.JSON(t); la["city"] != "STOCKHOLM" || la["source"] != "population-register" || la["confirmedAt"] != confirmed {
		t.Fatalf("%s", res.Body)
	}
	problem(t, e.Call("POST", upd, tok, `{"streetAddress":"x"}`), 400, "validation", "streetAddress")

	// Gone from the register, or deceased: refused, nothing changes.
	e.write(t, tolvan+hidden)
	problem(t, e.Call("POST", upd, tok, ""), 404, "person-not-found")
	e.write(t, strings.Replace(britt, "false,false", "false,true", 1)+tolvan)
	problem(t, e.Call("POST", upd, tok, ""), 422, "person-deceased")
	res = e.Call("GET", "/ledger/customer/v1/XXX/customers/9999/legal-address", tok, "")
	if res.JSON(t)["city"] != "STOCKHOLM" {
		t.Fatalf("a refused update changed the address: %s", res.Body)
	}
	problem(t, e.Call("POST", "/ledger/customer/v1/XXX/customers/1/legal-address", tok, ""), 404, "customer-not-found")

	// Every lookup is in the log; the filter by person finds them.
	res = e.Call("GET", "/ledger/customer/v1/XXX/register-lookups?regNo=198112189876&countryCode=SE&take=2", tok, "")
	want(t, res, 200)
	var page struct {
		Items []struct {
			Purpose, Outcome string
		} `json:"items"`
		Navigation struct{ Next string } `json:"navigation"`
	}
	json.Unmarshal(res.Body, &page)
	if len(page.Items) != 2 || page.Items[0].Outcome != "found" || page.Items[1].Outcome != "not-found" ||
		page.Items[0].Purpose != "update-legal-address-from-population-register" || page.Navigation.Next == "" {
		t.Fatalf("lookups about the person: %s", res.Body)
	}
	problem(t, e.Call("GET", "/ledger/customer/v1/XXX/register-lookups", reader, ""), 403, "forbidden")
	problem(t, e.Call("GET", "/ledger/customer/v1/XXX/register-lookups?take=1000", tok, ""), 400, "validation", "take")
}

func TestRegisterNotConfigured(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	e.Ledger("XXX", "SE", customer.NumbersClient)
	tok := e.Token("XXX", customer.ScopeAll)
	res := e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "1"))
	problem(t, res, 503, "population-register-unavailable")
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	problem(t, e.Call("GET", "/ledger/customer/v1/XXX/customers/1", tok, ""), 404, "customer-not-found")
}
