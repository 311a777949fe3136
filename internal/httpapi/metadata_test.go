package httpapi_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

// TestMetadata: a customer's metadata is set on create, merged by PATCH
// (null removes a key, or all of them), shown by GET and the list, and
// refused with problems naming the key when it breaks a limit; nothing is
// written then.
func TestMetadata(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeWrite)
		path := "/ledger/customer/v1/L1/customers"
		body := `{"customerNo":"1","name":"Meta Data","metadata":{"crm":"A-17","segment":"retail"},
			"legalAddress":{"addressee":"M","city":"C","zipCode":"11122","countryCode":"SE"}}`
		want(t, e.Call("POST", path, tok, body), http.StatusCreated)
		meta := func() any { return e.Call("GET", path+"/1", tok, "").JSON(t)["metadata"] }
		if got := meta(); !reflect.DeepEqual(got, map[string]any{"crm": "A-17", "segment": "retail"}) {
			t.Fatalf("metadata after create: %v", got)
		}
		res := e.Call("PATCH", path+"/1", tok, `{"metadata":{"crm":"A-18","segment":null,"Region":"Norr"}}`)
		want(t, res, http.StatusOK)
		if got := res.JSON(t)["metadata"]; !reflect.DeepEqual(got, map[string]any{"crm": "A-18", "Region": "Norr"}) {
			t.Fatalf("metadata after PATCH: %v", got)
		}
		items := e.Call("GET", path, tok, "").JSON(t)["items"].([]any)
		if got := items[0].(map[string]any)["metadata"]; !reflect.DeepEqual(got, map[string]any{"crm": "A-18", "Region": "Norr"}) {
			t.Fatalf("metadata in the list: %v", got)
		}
		// Problems, each naming its key; nothing written.
		etag := e.Call("GET", path+"/1", tok, "").Header.Get("ETag")
		problem(t, e.Call("PATCH", path+"/1", tok, `{"metadata":{"crm":1,"ok":"v"}}`), http.StatusBadRequest, customer.EVALIDATION, "metadata.crm")
		problem(t, e.Call("PATCH", path+"/1", tok, `{"metadata":{"`+strings.Repeat("k", 41)+`":"v","note":"`+strings.Repeat("v", 501)+`"}}`),
			http.StatusBadRequest, customer.EVALIDATION, "metadata."+strings.Repeat("k", 41), "metadata.note")
		problem(t, e.Call("PATCH", path+"/1", tok, `{"metadata":"crm=A"}`), http.StatusBadRequest, customer.EVALIDATION, "metadata")
		var many []string
		for i := range 21 {
			many = append(many, `"k`+string(rune('a'+i))+`":"v"`)
		}
		problem(t, e.Call("POST", path, tok, strings.Replace(body, `"crm":"A-17","segment":"retail"`, strings.Join(many, ","), 1)),
			http.StatusBadRequest, customer.EVALIDATION, "metadata")
		if res := e.Call("GET", path+"/1", tok, ""); res.Header.Get("ETag") != etag {
			t.Fatalf("a refused PATCH changed the customer: %s", res.Body)
		}
		// null removes all of it, and a customer without metadata shows none.
		res = e.Call("PATCH", path+"/1", tok, `{"metadata":null}`)
		want(t, res, http.StatusOK)
		if _, shown := res.JSON(t)["metadata"]; shown {
			t.Fatalf("metadata after null: %s", res.Body)
		}
	})
}
