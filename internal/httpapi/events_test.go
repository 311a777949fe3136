package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

type eventPage struct {
	Items []struct {
		ID         string         `json:"@id"`
		EventID    string         `json:"eventId"`
		Sequence   int64          `json:"sequence"`
		Type       string         `json:"type"`
		OccurredAt string         `json:"occurredAt"`
		CustomerNo string         `json:"customerNo"`
		Customer   string         `json:"customer"`
		Actor      map[string]any `json:"actor"`
		RequestID  string         `json:"requestId"`
		Data       struct {
			Object             map[string]any  `json:"object"`
			PreviousAttributes map[string]any  `json:"previousAttributes"`
			Raw                json.RawMessage `json:"-"`
		} `json:"data"`
	} `json:"items"`
	Navigation struct {
		ID   string `json:"@id"`
		Next string `json:"next"`
	} `json:"navigation"`
}

func readEvents(t *testing.T, e *apitest.Env, path, tok string) eventPage {
	t.Helper()
	res := e.Call("GET", path, tok, "")
	want(t, res, http.StatusOK)
	var p eventPage
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatalf("%v\n%s", err, res.Body)
	}
	return p
}

// withoutOperations is a representation with every operations member
// removed, as the journal shows it.
func withoutOperations(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "operations")
		for _, m := range x {
			withoutOperations(m)
		}
	case []any:
		for _, m := range x {
			withoutOperations(m)
		}
	}
	return v
}

// TestEventFeed: the writes of the native API appear in the feed as
// DESIGN.md's events: the customer as GET shows it with both addresses,
// without operations; the former values of what changed; the actor and
// the Request-Id of the write; paged by sequence and filtered.
func TestEventFeed(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		feed := e.Token("XXX", customer.ScopeEvents)
		created := e.Call("POST", ledgerPath+"/customers", tok, seedCreateWithBilling)
		want(t, created, http.StatusCreated)
		patched := e.Call("PATCH", custPath, tok, `{"emailAddress":"bm@axelstopp.se","msisdn":null}`)
		want(t, patched, http.StatusOK)
		removed := e.Call("DELETE", custPath+"/billing-address", tok, "")
		want(t, removed, http.StatusNoContent)
		want(t, e.Call("PUT", custPath+"/products", tok, `{"products":[{"productCode":"news","validTo":"2027-01-01T00:00:00Z"}]}`), http.StatusOK)

		p := readEvents(t, e, ledgerPath+"/events", feed)
		var types []string
		for _, ev := range p.Items {
			types = append(types, ev.Type)
		}
		if want := []string{customer.EventCustomerCreated, customer.EventCustomerUpdated, customer.EventBillingAddressRemoved, customer.EventProductsChanged}; !reflect.DeepEqual(types, want) {
			t.Fatalf("types: got %v, want %v", types, want)
		}
		up := p.Items[1]
		if up.ID != ledgerPath+"/events/EVT0000000002" || up.EventID != "EVT0000000002" || up.Sequence != 2 || up.CustomerNo != "9999" || up.Customer != custPath {
			t.Fatalf("event names: %+v", up)
		}
		if at, err := time.Parse(time.RFC3339Nano, up.OccurredAt); err != nil || at.Location() != time.UTC || !strings.HasSuffix(up.OccurredAt, "Z") {
			t.Fatalf("occurredAt %q: %v", up.OccurredAt, err)
		}
		if up.RequestID != patched.Header.Get("Request-Id") || p.Items[0].RequestID != created.Header.Get("Request-Id") {
			t.Fatalf("request ids: %q, %q", up.RequestID, p.Items[0].RequestID)
		}
		if want := map[string]any{"type": "token", "id": apitest.TokenID(tok)}; !reflect.DeepEqual(up.Actor, want) {
			t.Fatalf("actor: %v", up.Actor)
		}
		if want := map[string]any{"emailAddress": "britt@axelstopp.com", "msisdn": "+46720000000"}; !reflect.DeepEqual(up.Data.PreviousAttributes, want) {
			t.Fatalf("previousAttributes: %v", up.Data.PreviousAttributes)
		}
		if p.Items[0].Data.PreviousAttributes != nil {
			t.Fatalf("a creation has no previous attributes: %v", p.Items[0].Data.PreviousAttributes)
		}
		// The object is the customer as GET shows it, both addresses
		// embedded, without operations.
		got := e.Call("GET", custPath+"?$expand=legaladdress,billingaddress", tok, "").JSON(t)
		if _, ok := got["billingAddress"]; ok {
			t.Fatal("the billing address was removed")
		}
		if !reflect.DeepEqual(p.Items[2].Data.Object, withoutOperations(got)) {
			t.Fatalf("object:\n got %v\nwant %v", p.Items[2].Data.Object, got)
		}
		if b, ok := p.Items[2].Data.PreviousAttributes["billingAddress"].(map[string]any); !ok || b["addressee"] == nil || b["operations"] != nil {
			t.Fatalf("the removed billing address: %v", p.Items[2].Data.PreviousAttributes)
		}
		if ps := p.Items[3].Data.Object["products"].([]any); len(ps) != 1 || p.Items[3].Data.PreviousAttributes["products"] == nil {
			t.Fatalf("products event: %+v", p.Items[3].Data)
		}

		// Paging: next goes on after the page, and polls at the end.
		page := readEvents(t, e, ledgerPath+"/events?take=3", feed)
		if len(page.Items) != 3 || page.Navigation.ID != ledgerPath+"/events" {
			t.Fatalf("take=3: %d items, navigation %+v", len(page.Items), page.Navigation)
		}
		rest := readEvents(t, e, page.Navigation.Next, feed)
		if len(rest.Items) != 1 || rest.Items[0].Sequence != 4 {
			t.Fatalf("the next page: %+v", rest.Items)
		}
		end := readEvents(t, e, rest.Navigation.Next, feed)
		if len(end.Items) != 0 || end.Navigation.Next != rest.Navigation.Next {
			t.Fatalf("at the end: %d items, next %q (want %q)", len(end.Items), end.Navigation.Next, rest.Navigation.Next)
		}
		if u, _ := url.Parse(rest.Navigation.Next); u.Query().Get("take") != "3" || u.Query().Get("after") != "4" {
			t.Fatalf("next carries take and the last sequence: %s", rest.Navigation.Next)
		}
		// Filters.
		byType := readEvents(t, e, ledgerPath+"/events?type=customer.updated&type=customer.products.changed", feed)
		if len(byType.Items) != 2 || byType.Items[0].Sequence != 2 || byType.Items[1].Sequence != 4 {
			t.Fatalf("by type: %+v", byType.Items)
		}
		if other := readEvents(t, e, ledgerPath+"/events?customerNo=1", feed); len(other.Items) != 0 {
			t.Fatalf("another customer: %+v", other.Items)
		}

		// Bad queries name their parameter; the feed needs events:read.
		for q, field := range map[string]string{"take=501": "take", "take=0": "take", "take=x": "take", "after=-1": "after",
			"after=x": "after", "type=customer.nothing": "type", "customerNo=%20": "customerNo", "skip=1": "skip"} {
			problem(t, e.Call("GET", ledgerPath+"/events?"+q, feed, ""), http.StatusBadRequest, "validation", field)
		}
		problem(t, e.Call("GET", ledgerPath+"/events", tok, ""), http.StatusForbidden, "forbidden")
		e.Ledger("YYY", "SE", customer.NumbersClient)
		other := e.Token("YYY", customer.ScopeEvents)
		want(t, e.Call("GET", ledgerPath+"/events", other, ""), http.StatusNotFound)
		if p := readEvents(t, e, "/ledger/customer/v1/YYY/events", other); len(p.Items) != 0 {
			t.Fatalf("ledger YYY sees XXX's events: %+v", p.Items)
		}
	})
}

// TestCustomerHistory: the audit trail of one customer, newest first,
// paged, for a reader of the ledger.
func TestCustomerHistory(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		reader := e.Token("XXX", customer.ScopeRead)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, strings.Replace(seedCreate, `"9999"`, `"1"`, 1)), http.StatusCreated)
		for _, lang := range []string{"NO", "DA", "FI"} {
			want(t, e.Call("PATCH", custPath, tok, `{"preferredLanguageCode":"`+lang+`"}`), http.StatusOK)
		}
		h := readEvents(t, e, custPath+"/history?take=3", reader)
		var seqs []int64
		for _, ev := range h.Items {
			seqs = append(seqs, ev.Sequence)
			if ev.CustomerNo != "9999" {
				t.Fatalf("another customer's event in the history: %+v", ev)
			}
		}
		if !reflect.DeepEqual(seqs, []int64{5, 4, 3}) || h.Items[0].Data.PreviousAttributes["preferredLanguageCode"] != "DA" {
			t.Fatalf("history: %v %+v", seqs, h.Items[0].Data)
		}
		if h.Navigation.Next != custPath+"/history?skip=3&take=3" {
			t.Fatalf("next: %q", h.Navigation.Next)
		}
		last := readEvents(t, e, h.Navigation.Next, reader)
		if len(last.Items) != 1 || last.Items[0].Type != customer.EventCustomerCreated || last.Navigation.Next != "" {
			t.Fatalf("the last page: %+v", last)
		}
		problem(t, e.Call("GET", ledgerPath+"/customers/4242/history", reader, ""), http.StatusNotFound, "customer-not-found")
		problem(t, e.Call("GET", custPath+"/history?take=501", reader, ""), http.StatusBadRequest, "validation", "take")
		problem(t, e.Call("GET", custPath+"/history", e.Token("XXX", customer.ScopeEvents), ""), http.StatusForbidden, "forbidden")
	})
}
