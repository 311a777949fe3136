package httpapi_test

// The seed's active-disbursement-orders section. Its request examples carry
// placeholders that are not real account numbers ("1234", "123456",
// "SWED...", a 10-digit Bankgiro "944-1049000"); each is shown to be refused
// naming the field, then replayed with a real number of the same kind.

import (
	"net/http"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

func ordersPath(id string) string { return surplusesPath + "/" + id + "/active-disbursement-orders" }

// openSurplus feeds an open surplus with id.
func openSurplus(t *testing.T, e *apitest.Env, feed, id string) {
	t.Helper()
	want(t, e.Call("POST", surplusesPath, feed, `{"surplusId":"`+id+`","balance":10.00,"currency":"SEK","date":"2023-01-01T00:00:00"}`), http.StatusCreated)
}

func TestSeedDisbursementOrders(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		feed, reader, payer := surplusLedger(t, e, true)
		openSurplus(t, e, feed, "YYY")

		// An open surplus offers add-disbursement-orders to a caller that may add one.
		res := e.Call("GET", surplusesPath+"/YYY", payer, "")
		want(t, res, http.StatusOK)
		jsonEqual(t, res.Body, `{"surplusId":"YYY","balance":10.00,"currency":"SEK","date":"2023-01-01T00:00:00","status":"open",
 "operations":[{"rel":"add-disbursement-orders","method":"POST","href":"/ledger/customer/v1/XXX/customers/9999/surpluses/YYY/active-disbursement-orders"}],
 "@id":"/ledger/customer/v1/XXX/customers/9999/surpluses/YYY"}`)
		res = e.Call("GET", surplusesPath+"/YYY", reader, "")
		if ops := res.JSON(t)["operations"].([]any); len(ops) != 0 {
			t.Fatalf("a reader is offered %v", ops)
		}

		res = e.Call("GET", ordersPath("YYY"), reader, "")
		want(t, res, http.StatusOK)
		jsonEqual(t, res.Body, `{"items":[],"navigation":{"@id":"/ledger/customer/v1/XXX/customers/9999/surpluses/YYY/active-disbursement-orders"}}`)

		problem(t, e.Call("POST", ordersPath("YYY"), reader, `{"swedishBankAccount":{"clearingNo":"3300","accountNo":"1010101010"}}`), 403, "forbidden")
		res = e.Call("POST", ordersPath("yyy"), payer, `{"swedishBankAccount":{"clearingNo":"3300","accountNo":"1010101010"}}`)
		want(t, res, http.StatusCreated)
		if loc := res.Header.Get("Location"); loc != ordersPath("YYY") {
			t.Fatalf("Location %q", loc)
		}

		// The seed's GET example, field by field.
		res = e.Call("GET", ordersPath("YYY"), reader, "")
		want(t, res, http.StatusOK)
		jsonEqual(t, res.Body, `{
 "items": [
 {
 "operations": [],
 "swedishBankAccount": {
 "accountNo": "3300-1010101010",
 "accountType": "BKSE"
 }
 }
 ],
 "navigation": {
 "@id": "/ledger/customer/v1/XXX/customers/9999/surpluses/YYY/active-disbursement-orders"
 }
}`)
		res = e.Call("GET", surplusesPath+"/YYY", payer, "")
		if m := res.JSON(t); m["status"] != "pending-disbursement" || len(m["operations"].([]any)) != 0 {
			t.Fatalf("after the order: %s", res.Body)
		}
		problem(t, e.Call("POST", ordersPath("YYY"), payer, `{"norwegianBankAccount":{"accountNo":"86011117947"}}`), 409, "conflict")
		problem(t, e.Call("POST", ordersPath("nope"), payer, `{"norwegianBankAccount":{"accountNo":"86011117947"}}`), 404, "not-found")
		problem(t, e.Call("GET", ordersPath("nope"), reader, ""), 404, "not-found")

		for i, c := range []struct {
			placeholder string
			fields      []string
			real        string
			stored      string
		}{
			{`{"SwedishBankAccount" : {"AccountNo":"944-1049000", "AccountType":"BGSE"}}`, []string{"swedishBankAccount.accountNo"},
				`{"SwedishBankAccount" : {"AccountNo":"5050-1055", "AccountType":"BGSE"}}`,
				`{"operations":[],"swedishBankAccount":{"accountNo":"5050-1055","accountType":"BGSE"}}`},
			{`{"swedishBankAccount" : {"accountNo":"90 01 22", "accountType":"pgse"}}`, []string{"swedishBankAccount.accountNo"},
				`{"swedishBankAccount" : {"accountNo":"90 01 22-3", "accountType":"pgse"}}`,
				`{"operations":[],"swedishBankAccount":{"accountNo":"900122-3","accountType":"PGSE"}}`},
			{`{"norwegianBankAccount" : {"accountNo" : "1234"}}`, []string{"norwegianBankAccount.accountNo"},
				`{"norwegianBankAccount" : {"accountNo" : "8601 11 17947"}}`,
				`{"operations":[],"norwegianBankAccount":{"accountNo":"86011117947"}}`},
			{`{"international" : {"iban" : "123456", "bic" : "SWED..."}}`, []string{"international.iban", "international.bic"},
				`{"international" : {"iban" : "SE45 5000 0000 0583 9825 7466", "bic" : "ESSESESS"}}`,
				`{"operations":[],"international":{"iban":"SE4550000000058398257466","bic":"ESSESESS"}}`},
			{`{"swedishSus" : {"nationalIdentifier": {"regNo" : "YYYYMMDD-NNNN", "countryCode" : "SE"},
 "address" : {"addressee" : "Kalle Axelstopp", "streetAddress" : "Axelgatan 18", "coAddress" : null, "city" : "STOCKHOLM", "zipCode" : "16872", "countryCode" : "se"}}}`,
				[]string{"swedishSus.nationalIdentifier.regNo"},
				`{"swedishSus" : {"nationalIdentifier": {"regNo" : "19121212-1212", "countryCode" : "SE"},
 "address" : {"addressee" : "Kalle Axelstopp", "streetAddress" : "Axelgatan 18", "coAddress" : null, "city" : "STOCKHOLM", "zipCode" : "16872", "countryCode" : "se"}}}`,
				`{"operations":[],"swedishSus":{"nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"},
 "address":{"addressee":"Kalle Axelstopp","streetAddress":"Axelgatan 18","city":"STOCKHOLM","zipCode":"16872","countryCode":"SE"}}}`},
		} {
			id := []string{"BG", "PG", "NO", "INTL", "SUS"}[i]
			openSurplus(t, e, feed, id)
			problem(t, e.Call("POST", ordersPath(id), payer, c.placeholder), 400, "validation", c.fields...)
			res := e.Call("POST", ordersPath(id), payer, c.real)
			want(t, res, http.StatusCreated)
			jsonEqual(t, res.Body, c.stored)
			res = e.Call("GET", ordersPath(id), reader, "")
			jsonEqual(t, res.Body, `{"items":[`+c.stored+`],"navigation":{"@id":"`+ordersPath(id)+`"}}`)
		}
	})
}

func TestDisbursementOrderProblems(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		feed, reader, payer := surplusLedger(t, e, true)
		openSurplus(t, e, feed, "S1")
		for _, c := range []struct {
			body   string
			fields []string
		}{
			{`{}`, []string{"body"}},
			{`{"norwegianBankAccount":{"accountNo":"86011117947"},"international":{"iban":"SE4550000000058398257466","bic":"ESSESESS"}}`, []string{"body"}},
			{`{"norwegianBankAccount":{"accountNo":"86011117940"}}`, []string{"norwegianBankAccount.accountNo"}},
			{`{"norwegianBankAccount":{}}`, []string{"norwegianBankAccount.accountNo"}},
			{`{"swedishBankAccount":{"clearingNo":"3300","accountNo":"1010101011"}}`, []string{"swedishBankAccount.accountNo"}},
			{`{"swedishBankAccount":{"clearingNo":"0999","accountNo":"1010101010"}}`, []string{"swedishBankAccount.accountNo"}},
			{`{"swedishBankAccount":{"accountNo":"1010101010"}}`, []string{"swedishBankAccount.clearingNo"}},
			{`{"swedishBankAccount":{"accountNo":"3300-1010101010","accountType":"XXSE"}}`, []string{"swedishBankAccount.accountType"}},
			{`{"swedishBankAccount":{"accountNo":"4890-2","accountType":"PGSE"}}`, []string{"swedishBankAccount.accountNo"}},
			{`{"swedishBankAccount":{"accountNo":"3300-1010101010","accountType":"BKSE","iban":"x"}}`, []string{"swedishBankAccount.iban"}},
			{`{"international":{"iban":"SE4550000000058398257467","bic":"ESSESESS"}}`, []string{"international.iban"}},
			{`{"international":{"iban":"SE4550000000058398257466","bic":"DEUTDEFF"}}`, []string{"international.bic"}},
			{`{"international":{"iban":"SE4550000000058398257466"}}`, []string{"international.bic"}},
			{`{"swedishSus":{"nationalIdentifier":{"regNo":"811218-9876","countryCode":"NO"}}}`, []string{"swedishSus.nationalIdentifier.regNo", "swedishSus.address"}},
			{`{"swedishSus":{"nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"},"address":{"addressee":"K","city":"S","zipCode":"1","countryCode":"SE"}}}`, []string{"swedishSus.address.zipCode"}},
		} {
			problem(t, e.Call("POST", ordersPath("S1"), payer, c.body), 400, "validation", c.fields...)
		}
		// Nothing was ordered by the refused requests.
		if m := e.Call("GET", surplusesPath+"/S1", reader, "").JSON(t); m["status"] != "open" {
			t.Fatalf("status after refusals: %v", m["status"])
		}
		// A surplus that is not open cannot be disbursed.
		want(t, e.Call("POST", surplusesPath, feed, `{"surplusId":"R","balance":1,"currency":"SEK","date":"2023-01-01","status":"pending-regulate"}`), http.StatusCreated)
		problem(t, e.Call("POST", ordersPath("R"), payer, `{"norwegianBankAccount":{"accountNo":"86011117947"}}`), 409, "conflict")
	})
}

func TestDisbursementsNeedTheLedgerOption(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		feed, _, payer := surplusLedger(t, e, false)
		openSurplus(t, e, feed, "S1")
		res := e.Call("GET", surplusesPath+"/S1", payer, "")
		if ops := res.JSON(t)["operations"].([]any); len(ops) != 0 {
			t.Fatalf("a ledger without disbursements offers %v", ops)
		}
		problem(t, e.Call("POST", ordersPath("S1"), payer, `{"norwegianBankAccount":{"accountNo":"86011117947"}}`), 403, "forbidden")
		all := e.Token("XXX", customer.ScopeAll)
		problem(t, e.Call("POST", ordersPath("S1"), all, `{"norwegianBankAccount":{"accountNo":"86011117947"}}`), 403, "forbidden")
	})
}
