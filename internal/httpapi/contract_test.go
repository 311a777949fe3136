package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kund/kund/api"
	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
)

// TestContractCoversEveryRoute: every route of the native API is an
// operation of api/openapi.yaml, and every operation is a route.
func TestContractCoversEveryRoute(t *testing.T) {
	doc, err := api.Document()
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	e := apitest.Start(t, apitest.SQLite)
	registered := e.Kund.Handler.(*httpapi.Server).NativePatterns()
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("the route %s is not in api/openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("api/openapi.yaml has %s, which the server does not serve", d)
		}
	}
	if len(registered) < 40 {
		t.Fatalf("only %d routes: %v", len(registered), registered)
	}
}

// TestOpenAPIServed: /openapi.json is the document, to anyone.
func TestOpenAPIServed(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	res := e.Call("GET", "/openapi.json", "", "")
	want(t, res, http.StatusOK)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("%v %.300s", err, res.Body)
	}
	if _, ok := doc.Paths["/ledger/customer/v1/{ledgerNo}/customers/{customerNo}"]["get"]; !ok {
		t.Fatalf("no GET of a customer in %d paths", len(doc.Paths))
	}
}

// TestContractNamesEveryProblem: every problem code of the native API is
// named in api/openapi.yaml by the answer of its status.
func TestContractNamesEveryProblem(t *testing.T) {
	doc, err := api.Document()
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[int]string{}
	for _, r := range doc.Components.Responses {
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				for code, ref := range op.Responses.Map() {
					if ref.Value == r.Value && r.Value.Description != nil {
						n, _ := strconv.Atoi(code)
						byStatus[n] += *r.Value.Description + " "
					}
				}
			}
		}
	}
	for _, code := range customer.Codes() {
		if code == customer.EMETHODNOTALLOWED {
			continue // the answer to a method no operation has: no operation's answer
		}
		status := httpapi.Status(code)
		if !regexp.MustCompile(`(^|[^a-z-])` + regexp.QuoteMeta(code) + `($|[^a-z-])`).MatchString(byStatus[status]) {
			t.Errorf("the problem %s (%d) is not named by the document's %d answer: %q", code, status, status, byStatus[status])
		}
	}
}
