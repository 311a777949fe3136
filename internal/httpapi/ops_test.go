package httpapi_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
)

func TestHealthReadyMetrics(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		want(t, e.Call("GET", "/healthz", "", ""), http.StatusOK)
		ready := e.Call("GET", "/readyz", "", "")
		want(t, ready, http.StatusOK)
		jsonEqual(t, ready.Body, `{"status":"ready","checks":{"database":"ok"}}`)

		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead)
		want(t, e.Call("GET", "/ledger/customer/v1/L1/customers", tok, ""), http.StatusOK)
		want(t, e.Call("GET", "/ledger/customer/v1/L1/customers/42", tok, ""), http.StatusNotFound)
		m := e.Call("GET", "/metrics", "", "")
		want(t, m, http.StatusOK)
		body := string(m.Body)
		wants := []string{
			`kund_http_requests_total{method="GET",route="GET /ledger/customer/v1/{ledgerNo}/customers",status="200"} 1`,
			`kund_http_requests_total{method="GET",route="GET /ledger/customer/v1/{ledgerNo}/customers/{customerNo}",status="404"} 1`,
			`kund_http_request_duration_seconds_bucket{method="GET",route="GET /ledger/customer/v1/{ledgerNo}/customers",le="+Inf"} 1`,
		}
		// One series per pool of the engine: SQLite has a writer and
		// readers, PostgreSQL one pool.
		pools := e.Store.(interface{ Pools() map[string]*sql.DB }).Pools()
		if len(pools) == 0 {
			t.Fatal("the store reports no pools")
		}
		for name := range pools {
			wants = append(wants, `go_sql_open_connections{db_name="`+name+`"}`)
		}
		for _, s := range wants {
			if !strings.Contains(body, s) {
				t.Errorf("metrics lack %s", s)
			}
		}
		if strings.Contains(body, "L1") || strings.Contains(body, "/42") {
			t.Error("metrics show a ledger or customer number")
		}

		// A dependency that does not answer makes Kund unready, by name.
		srv := e.Kund.Handler.(*httpapi.Server)
		srv.AddReadyCheck("register", func(ctx context.Context) error { return errors.New("register down") })
		ready = e.Call("GET", "/readyz", "", "")
		want(t, ready, http.StatusServiceUnavailable)
		jsonEqual(t, ready.Body, `{"status":"unready","checks":{"database":"ok","register":"unavailable"}}`)
		want(t, e.Call("GET", "/healthz", "", ""), http.StatusOK)
	})
}

func TestReadyWithoutDatabase(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	e.Store.Close()
	ready := e.Call("GET", "/readyz", "", "")
	want(t, ready, http.StatusServiceUnavailable)
	jsonEqual(t, ready.Body, `{"status":"unready","checks":{"database":"unavailable"}}`)
	want(t, e.Call("GET", "/healthz", "", ""), http.StatusOK)
}

// TestNoPersonalDataInLogs sends identity numbers, e-mail addresses and a
// card number through every kind of answer (created, read, refused,
// conflicting, not found, bad headers) and lets apitest scan the log: any
// of them there fails the test. The scanner itself is checked first, so a
// scanner that finds nothing cannot pass it.
func TestNoPersonalDataInLogs(t *testing.T) {
	for _, planted := range []string{"anna@example.se", "4111 1111 1111 1111", "811218-9876", "19811218-9876", "131052-308T", "01129955131"} {
		if len(apitest.ScanPersonalData(`{"msg":"x","v":"`+planted+`"}`)) == 0 {
			t.Fatalf("the log scanner misses %q", planted)
		}
	}
	if f := apitest.ScanPersonalData(`{"request_id":"12345678-1234-4123-8123-123456789012","duration_ms":1.25,"status":201}`); len(f) != 0 {
		t.Fatalf("the log scanner flags a clean line: %v", f)
	}
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead, customer.ScopeWrite)
		path := "/ledger/customer/v1/L1/customers"
		create := `{"customerNo":"1","name":"Anna 4111 1111 1111 1111","emailAddress":"anna@example.se",
			"nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"},
			"legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
		want(t, e.Call("POST", path, tok, create), http.StatusCreated)
		problem(t, e.Call("POST", path, tok, create), http.StatusConflict, customer.ECUSTOMEREXISTS)
		want(t, idemPost(e, tok, path, "anna@example.se", strings.Replace(create, `"1"`, `"2"`, 1)), http.StatusCreated)
		e.Call("POST", path, tok, `{"customerNo":"3","name":"N","emailAddress":"not an address 811218-9876","nationalIdentifier":{"regNo":"811218-9875","countryCode":"SE"}}`)
		e.Call("POST", path, tok, `{"customerNo":"4111111111111111","name":"N"}`)
		e.Call("GET", path+"?emailAddress=anna@example.se&regNo=19811218-9876", tok, "")
		e.Call("GET", path+"/19811218-9876", tok, "")
		e.Call("POST", "/ledger/customer/v1/L1/find-customer", tok, `{"nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"}}`)
		e.Do(apitest.Request{Method: "PATCH", Path: path + "/1", Token: tok, Body: `{"emailAddress":"new@example.se","msisdn":"+46701234567"}`,
			Header: map[string]string{"If-Match": `"811218-9876"`, "Request-Id": "anna@example.se"}})
		e.Call("GET", "/ledger/customer/v1/anna@example.se/customers", tok, "")
		e.Call("GET", "/x/811218-9876", "", "")
	})
}
