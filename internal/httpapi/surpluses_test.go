package httpapi_test

// The seed's surpluses and active-disbursement-orders sections, replayed
// against a running Kund. The seed's path placeholders NNN and YYY become
// customer 9999 and the surplus ids of each example.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

const surplusesPath = custPath + "/surpluses"

// surplusLedger makes ledger XXX with customer 9999 and returns tokens of
// the ledger's feed, of a reader and of a disbursement client.
func surplusLedger(t *testing.T, e *apitest.Env, disbursements bool) (feed, reader, payer string) {
	t.Helper()
	tok := seedLedger(e)
	want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
	if disbursements {
		yes := true
		if _, err := e.Kund.Service.UpdateLedger(context.Background(), "XXX", customer.LedgerOptions{Disbursements: &yes}); err != nil {
			t.Fatal(err)
		}
	}
	return e.Token("XXX", customer.ScopeSurpluses), e.Token("XXX", customer.ScopeRead),
		e.Token("XXX", customer.ScopeRead, customer.ScopeDisbursements)
}

// The three surpluses of the seed's list example, as the ledger feeds them.
var seedSurpluses = []string{
	`{"surplusId": "123", "balance": 10.00, "currency": "SEK", "date": "2023-01-01T00:00:00", "status": "open", "invoice": "/ledger/invoice/v1/XXX/invoices/AAA"}`,
	`{"surplusId": "456", "balance": "20.00", "currency": "SEK", "date": "2023-01-02T00:00:00", "status": "pending-disbursement", "account": "/ledger/account/v1/XXX/accounts/BBB"}`,
	`{"surplusId": "789", "balance": 30, "currency": "sek", "date": "2023-01-03", "status": "pending-regulate", "invoice": "/ledger/invoice/v1/XXX/invoices/AAA"}`,
}

func TestSeedSurplusList(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		feed, reader, _ := surplusLedger(t, e, false)
		// Fed newest first: the list is ordered by date all the same.
		for i := len(seedSurpluses) - 1; i >= 0; i-- {
			want(t, e.Call("POST", surplusesPath, feed, seedSurpluses[i]), http.StatusCreated)
		}
		res := e.Call("GET", surplusesPath, reader, "")
		want(t, res, http.StatusOK)
		jsonEqual(t, res.Body, `{
 "items": [
 {"surplusId": "123", "balance": 10.00, "currency": "SEK", "date": "2023-01-01T00:00:00", "status": "open",
  "invoice": "/ledger/invoice/v1/XXX/invoices/AAA", "operations": [], "@id": "/ledger/customer/v1/XXX/customers/9999/surpluses/123"},
 {"surplusId": "456", "balance": 20.00, "currency": "SEK", "date": "2023-01-02T00:00:00", "status": "pending-disbursement",
  "account": "/ledger/account/v1/XXX/accounts/BBB", "operations": [], "@id": "/ledger/customer/v1/XXX/customers/9999/surpluses/456"},
 {"surplusId": "789", "balance": 30.00, "currency": "SEK", "date": "2023-01-03T00:00:00", "status": "pending-regulate",
  "invoice": "/ledger/invoice/v1/XXX/invoices/AAA", "operations": [], "@id": "/ledger/customer/v1/XXX/customers/9999/surpluses/789"}
 ],
 "navigation": {
 "@id": "/ledger/customer/v1/XXX/customers/9999/surpluses",
 "first": "/ledger/customer/v1/XXX/customers/9999/surpluses?skip=0",
 "previous": "/ledger/customer/v1/XXX/customers/9999/surpluses?skip=0"
 }
}`)
		// Money is written with the currency's minor units, never as a float.
		for _, b := range []string{`"balance":10.00,`, `"balance":20.00,`, `"balance":30.00,`} {
			if !strings.Contains(string(res.Body), b) {
				t.Fatalf("body lacks %s: %s", b, res.Body)
			}
		}

		// Paging: take=1 links the next page; skip=2 is the last.
		res = e.Call("GET", surplusesPath+"?take=1&skip=1", reader, "")
		want(t, res, http.StatusOK)
		m := res.JSON(t)
		items := m["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["surplusId"] != "456" {
			t.Fatalf("page 2: %s", res.Body)
		}
		nav := m["navigation"].(map[string]any)
		if nav["next"] != surplusesPath+"?skip=2&take=1" || nav["previous"] != surplusesPath+"?skip=0&take=1" || nav["first"] != surplusesPath+"?skip=0&take=1" {
			t.Fatalf("navigation: %v", nav)
		}
		res = e.Call("GET", surplusesPath+"?take=1&skip=2", reader, "")
		if _, ok := res.JSON(t)["navigation"].(map[string]any)["next"]; ok {
			t.Fatalf("last page has a next link: %s", res.Body)
		}
		problem(t, e.Call("GET", surplusesPath+"?take=0", reader, ""), 400, "validation", "take")
		problem(t, e.Call("GET", surplusesPath+"?skip=-1", reader, ""), 400, "validation", "skip")
		problem(t, e.Call("GET", surplusesPath+"?status=open", reader, ""), 400, "validation", "status")
		problem(t, e.Call("GET", ledgerPath+"/customers/1111/surpluses", reader, ""), 404, "customer-not-found")

		// A depleted surplus is no longer returned.
		problem(t, e.Call("DELETE", surplusesPath+"/456", reader, ""), 403, "forbidden")
		want(t, e.Call("DELETE", surplusesPath+"/456", feed, ""), http.StatusNoContent)
		res = e.Call("GET", surplusesPath, reader, "")
		if got := len(res.JSON(t)["items"].([]any)); got != 2 {
			t.Fatalf("after depletion: %d items\n%s", got, res.Body)
		}
		problem(t, e.Call("GET", surplusesPath+"/456", reader, ""), 404, "not-found")
		problem(t, e.Call("DELETE", surplusesPath+"/456", feed, ""), 404, "not-found")
	})
}

func TestSeedSurplusGetOne(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		feed, reader, _ := surplusLedger(t, e, false)
		// The seed's example has both invoice and account, which its own
		// property table forbids; Kund keeps the invoice.
		res := e.Call("POST", surplusesPath, feed, `{"surplusId": "YYY", "balance": 10.00, "currency": "SEK", "date": "2023-01-01T00:00:00",
 "invoice": "/ledger/invoice/v1/XXX/invoices/AAA"}`)
		want(t, res, http.StatusCreated)
		if loc := res.Header.Get("Location"); loc != surplusesPath+"/YYY" {
			t.Fatalf("Location %q", loc)
		}
		expect := `{"surplusId": "YYY", "balance": 10.00, "currency": "SEK", "date": "2023-01-01T00:00:00", "status": "open",
 "invoice": "/ledger/invoice/v1/XXX/invoices/AAA", "operations": [], "@id": "/ledger/customer/v1/XXX/customers/9999/surpluses/YYY"}`
		// Ids are not case sensitive.
		for _, id := range []string{"YYY", "yyy", "yYy"} {
			res = e.Call("GET", surplusesPath+"/"+id, reader, "")
			want(t, res, http.StatusOK)
			jsonEqual(t, res.Body, expect)
		}
		problem(t, e.Call("POST", surplusesPath, feed, `{"surplusId": "yyy", "balance": 1, "currency": "SEK", "date": "2023-01-01"}`), 409, "conflict")
		problem(t, e.Call("GET", surplusesPath+"/ZZZ", reader, ""), 404, "not-found")
		problem(t, e.Call("GET", ledgerPath+"/customers/1111/surpluses/YYY", reader, ""), 404, "customer-not-found")

		// Without surplusId Kund draws one.
		res = e.Call("POST", surplusesPath, feed, `{"balance": "0.01", "currency": "EUR", "date": "2024-02-29T12:00:00"}`)
		want(t, res, http.StatusCreated)
		m := res.JSON(t)
		if id, _ := m["surplusId"].(string); len(id) != 16 || m["@id"] != surplusesPath+"/"+id || m["balance"] != 0.01 {
			t.Fatalf("drawn id: %s", res.Body)
		}
	})
}

func TestSurplusFeedProblems(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		feed, reader, _ := surplusLedger(t, e, false)
		for _, c := range []struct {
			body   string
			fields []string
		}{
			{`{}`, []string{"balance", "currency", "date"}},
			{`{"balance": 0, "currency": "SEK", "date": "2023-01-01"}`, []string{"balance"}},
			{`{"balance": -5, "currency": "SEK", "date": "2023-01-01"}`, []string{"balance"}},
			{`{"balance": 10.001, "currency": "SEK", "date": "2023-01-01"}`, []string{"balance"}},
			{`{"balance": 1e3, "currency": "SEK", "date": "2023-01-01"}`, []string{"balance"}},
			{`{"balance": "ten", "currency": "SEK", "date": "2023-01-01"}`, []string{"balance"}},
			{`{"balance": true, "currency": "SEK", "date": "2023-01-01"}`, []string{"balance"}},
			{`{"balance": 10.5, "currency": "JPY", "date": "2023-01-01"}`, []string{"balance"}},
			{`{"balance": 10, "currency": "SKR", "date": "2023-01-01"}`, []string{"currency"}},
			{`{"balance": 10, "currency": "SEK", "date": "2023-02-30T00:00:00"}`, []string{"date"}},
			{`{"balance": 10, "currency": "SEK", "date": "2023-01-01", "status": "depleted"}`, []string{"status"}},
			{`{"balance": 10, "currency": "SEK", "date": "2023-01-01", "invoice": "/i/1", "account": "/a/1"}`, []string{"account"}},
			{`{"balance": 10, "currency": "SEK", "date": "2023-01-01", "invoice": "https://x/i/1"}`, []string{"invoice"}},
			{`{"balance": 10, "currency": "SEK", "date": "2023-01-01", "surplusId": "a b"}`, []string{"surplusId"}},
			{`{"balance": 10, "currency": "SEK", "date": "2023-01-01", "surplusId": "` + strings.Repeat("x", 51) + `"}`, []string{"surplusId"}},
			{`{"balance": 10, "currency": "SEK", "date": "2023-01-01", "colour": "red"}`, []string{"colour"}},
		} {
			problem(t, e.Call("POST", surplusesPath, feed, c.body), 400, "validation", c.fields...)
		}
		problem(t, e.Call("POST", surplusesPath, reader, seedSurpluses[0]), 403, "forbidden")
		problem(t, e.Call("POST", ledgerPath+"/customers/1111/surpluses", feed, seedSurpluses[0]), 404, "customer-not-found")
		// Nothing of the refused requests was written.
		res := e.Call("GET", surplusesPath, reader, "")
		if got := len(res.JSON(t)["items"].([]any)); got != 0 {
			t.Fatalf("refused surpluses were stored: %s", res.Body)
		}
	})
}
