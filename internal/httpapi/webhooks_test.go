package httpapi_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
)

// receiver is a webhook receiver: it records every request and answers
// with the statuses of answers in turn, then 200.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	answers []int
	got     chan received
}

type received struct {
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	rc := &receiver{answers: answers, got: make(chan received, 1000)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := http.StatusOK
		if len(rc.answers) > 0 {
			status, rc.answers = rc.answers[0], rc.answers[1:]
		}
		rc.mu.Unlock()
		if status == http.StatusFound {
			w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
		}
		w.WriteHeader(status)
		io.WriteString(w, "answer "+strconv.Itoa(status))
		select {
		case rc.got <- received{header: r.Header.Clone(), body: body, status: status}:
		default: // a test that does not read them all
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case r := <-rc.got:
		return r
	case <-time.After(15 * time.Second):
		t.Fatal("the receiver got nothing in 15 s")
		return received{}
	}
}

// insecureWebhooks lets webhooks reach the test's receiver on 127.0.0.1,
// retrying at once.
func insecureWebhooks(cfg *app.Config) {
	cfg.Webhooks.AllowInsecure = true
	cfg.Webhooks.Backoff = func(int) time.Duration { return 0 }
	cfg.Webhooks.Poll = 20 * time.Millisecond
}

type webhookBody struct {
	ID          string   `json:"@id"`
	WebhookID   string   `json:"webhookId"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
	Secret      string   `json:"secret"`
	Deliveries  string   `json:"deliveries"`
}

func createWebhook(t *testing.T, e *apitest.Env, tok, body string) webhookBody {
	t.Helper()
	res := e.Call("POST", ledgerPath+"/webhooks", tok, body)
	want(t, res, http.StatusCreated)
	var w webhookBody
	if err := json.Unmarshal(res.Body, &w); err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Location") != w.ID {
		t.Errorf("Location %q, @id %q", res.Header.Get("Location"), w.ID)
	}
	return w
}

type deliveryPage struct {
	Items []struct {
		ID            string `json:"@id"`
		DeliveryID    string `json:"deliveryId"`
		EventID       string `json:"eventId"`
		EventType     string `json:"eventType"`
		State         string `json:"state"`
		Attempts      int    `json:"attempts"`
		LastStatus    int    `json:"lastStatus"`
		LastError     string `json:"lastError"`
		LastResponse  string `json:"lastResponse"`
		NextAttemptAt string `json:"nextAttemptAt"`
		DeliveredAt   string `json:"deliveredAt"`
		Retry         string `json:"retry"`
	} `json:"items"`
}

// deliveriesSettled reads a webhook's deliveries until none is pending.
func deliveriesSettled(t *testing.T, e *apitest.Env, tok string, w webhookBody) deliveryPage {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		res := e.Call("GET", w.Deliveries, tok, "")
		want(t, res, http.StatusOK)
		var p deliveryPage
		if err := json.Unmarshal(res.Body, &p); err != nil {
			t.Fatal(err)
		}
		pending := false
		for _, d := range p.Items {
			pending = pending || d.State == customer.DeliveryPending
		}
		if !pending {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries still pending after 15 s:\n%s", res.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// verifySignature checks a Kund-Signature the way docs/events.md tells a
// receiver to, with nothing of Kund's code: HMAC-SHA256 keyed by the
// secret over "<t>.<body>".
func verifySignature(t *testing.T, secret string, r received) {
	t.Helper()
	header := r.header.Get("Kund-Signature")
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			ts = v
		}
		if v, ok := strings.CutPrefix(part, "v1="); ok {
			sig = v
		}
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(r.body)))
	if want := hex.EncodeToString(m.Sum(nil)); sig != want {
		t.Fatalf("Kund-Signature %q: v1 is not the HMAC of the body (want %s)", header, want)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Minute {
		t.Fatalf("Kund-Signature %q: t is not the time of sending", header)
	}
}

// TestWebhookDelivered: a webhook gets each event of its ledger, once,
// as the feed shows it, signed with the secret shown when it was made;
// the deliveries log shows each delivered at the first attempt.
func TestWebhookDelivered(t *testing.T) {
	eachWith(t, insecureWebhooks, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		hooks := e.Token("XXX", customer.ScopeWebhooks)
		feed := e.Token("XXX", customer.ScopeEvents)
		rc := newReceiver(t)
		w := createWebhook(t, e, hooks, `{"url":"`+rc.URL+`/kund","events":["customer.*"],"description":"invoicing"}`)
		if !strings.HasPrefix(w.Secret, "whsec_") || w.WebhookID == "" || w.URL != rc.URL+"/kund" || w.Description != "invoicing" {
			t.Fatalf("created %+v", w)
		}
		shown := e.Call("GET", w.ID, hooks, "")
		want(t, shown, http.StatusOK)
		if strings.Contains(string(shown.Body), w.Secret) || strings.Contains(string(shown.Body), `"secret"`) {
			t.Fatalf("GET shows the secret again: %s", shown.Body)
		}

		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		want(t, e.Call("PATCH", custPath, tok, `{"emailAddress":"bm@axelstopp.se"}`), http.StatusOK)

		events := readEvents(t, e, ledgerPath+"/events", feed)
		if len(events.Items) != 2 {
			t.Fatalf("%d events", len(events.Items))
		}
		// Deliveries run side by side: they may come in any order.
		byID := map[string]received{}
		for range events.Items {
			r := rc.next(t)
			byID[r.header.Get("Kund-Event-Id")] = r
		}
		for i, ev := range events.Items {
			r, ok := byID[ev.EventID]
			if !ok {
				t.Fatalf("event %s was not delivered; got %v", ev.EventID, byID)
			}
			verifySignature(t, w.Secret, r)
			if r.header.Get("Kund-Event-Id") != ev.EventID || r.header.Get("Kund-Event-Type") != ev.Type ||
				r.header.Get("Content-Type") != "application/json" {
				t.Errorf("delivery %d: headers %v, want the event %s of type %s", i, r.header, ev.EventID, ev.Type)
			}
			// The body is the event as the feed shows it.
			var feedItem, body map[string]any
			page := e.Call("GET", ledgerPath+"/events?after="+strconv.FormatInt(ev.Sequence-1, 10)+"&take=1", feed, "")
			var one struct {
				Items []json.RawMessage `json:"items"`
			}
			json.Unmarshal(page.Body, &one)
			json.Unmarshal(one.Items[0], &feedItem)
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatal(err)
			}
			if !jsonSame(feedItem, body) {
				t.Errorf("delivery %d:\n%s\nthe feed:\n%s", i, r.body, one.Items[0])
			}
		}
		p := deliveriesSettled(t, e, hooks, w)
		if len(p.Items) != 2 {
			t.Fatalf("%d deliveries", len(p.Items))
		}
		for i, d := range p.Items { // newest first
			ev := events.Items[1-i]
			if d.State != customer.DeliveryDelivered || d.Attempts != 1 || d.LastStatus != 200 || d.EventID != ev.EventID ||
				d.EventType != ev.Type || d.DeliveredAt == "" || d.NextAttemptAt != "" || d.LastResponse != "answer 200" {
				t.Errorf("delivery %d: %+v", i, d)
			}
		}
		select {
		case r := <-rc.got:
			t.Fatalf("a third delivery: %s", r.header.Get("Kund-Event-Id"))
		case <-time.After(200 * time.Millisecond):
		}
	})
}

func jsonSame(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestWebhookRetried: a receiver that answers 500 three times gets the
// event on the fourth attempt; the log shows each failure and then the
// delivery; the retry route sends it once more.
func TestWebhookRetried(t *testing.T) {
	eachWith(t, insecureWebhooks, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		hooks := e.Token("XXX", customer.ScopeWebhooks)
		rc := newReceiver(t, 500, 500, 500)
		w := createWebhook(t, e, hooks, `{"url":"`+rc.URL+`","events":["customer.created"]}`)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		var id string
		for i := 1; i <= 4; i++ {
			r := rc.next(t)
			if i == 1 {
				id = r.header.Get("Kund-Event-Id")
			}
			if got := r.header.Get("Kund-Event-Id"); got != id || r.status != map[bool]int{true: 200, false: 500}[i == 4] {
				t.Fatalf("attempt %d: event %s answered %d", i, got, r.status)
			}
			verifySignature(t, w.Secret, r)
		}
		p := deliveriesSettled(t, e, hooks, w)
		if len(p.Items) != 1 || p.Items[0].State != customer.DeliveryDelivered || p.Items[0].Attempts != 4 || p.Items[0].LastStatus != 200 {
			t.Fatalf("deliveries %+v", p.Items)
		}
		res := e.Call("POST", p.Items[0].Retry, hooks, "")
		want(t, res, http.StatusAccepted)
		if r := rc.next(t); r.header.Get("Kund-Event-Id") != id {
			t.Fatalf("the retry sent %s", r.header.Get("Kund-Event-Id"))
		}
		if p := deliveriesSettled(t, e, hooks, w); p.Items[0].Attempts != 5 || p.Items[0].State != customer.DeliveryDelivered {
			t.Fatalf("after the retry %+v", p.Items)
		}
		// A retry of what the webhook does not have is not found.
		want(t, e.Call("POST", w.Deliveries+"/DLV9999999999/retry", hooks, ""), http.StatusNotFound)
	})
}

// TestWebhookFailures: a redirect is an answer, not followed, and
// retried; the log keeps the status and the start of the answer; a
// delivery whose retry window has passed is failed.
func TestWebhookFailures(t *testing.T) {
	eachWith(t, insecureWebhooks, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		hooks := e.Token("XXX", customer.ScopeWebhooks)
		rc := newReceiver(t, http.StatusFound, http.StatusFound)
		w := createWebhook(t, e, hooks, `{"url":"`+rc.URL+`","events":["customer.created"]}`)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		for range 3 {
			rc.next(t) // two redirects, not followed, then the delivery
		}
		p := deliveriesSettled(t, e, hooks, w)
		if d := p.Items[0]; d.Attempts != 3 || d.State != customer.DeliveryDelivered {
			t.Fatalf("%+v", d)
		}
	})
}

// TestWebhookDeadline: a delivery that still fails at the end of its
// three days is failed, with its last answer in the log.
func TestWebhookDeadline(t *testing.T) {
	hourly := func(cfg *app.Config) {
		insecureWebhooks(cfg)
		cfg.Webhooks.Backoff = func(int) time.Duration { return time.Hour }
	}
	eachWith(t, hourly, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		hooks := e.Token("XXX", customer.ScopeWebhooks)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		down := newReceiver(t, 503, 503, 503)
		w2 := createWebhook(t, e, hooks, `{"url":"`+down.URL+`","events":["customer.updated"]}`)
		e.Advance(-customer.WebhookRetryWindow) // the delivery is made three days ago ...
		want(t, e.Call("PATCH", custPath, tok, `{"emailAddress":"bm@axelstopp.se"}`), http.StatusOK)
		down.next(t)
		// The first attempt's outcome is recorded (the next attempt an hour
		// later, on a clock that stands) ...
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			var p deliveryPage
			json.Unmarshal(e.Call("GET", w2.Deliveries, hooks, "").Body, &p)
			if len(p.Items) == 1 && p.Items[0].State == customer.DeliveryPending && p.Items[0].LastStatus == 503 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the first attempt's outcome: %+v", p.Items)
			}
		}
		e.Advance(customer.WebhookRetryWindow) // ... and the second attempt is at the delivery's deadline
		down.next(t)
		p := deliveriesSettled(t, e, hooks, w2)
		if d := p.Items[0]; d.State != customer.DeliveryFailed || d.LastStatus != 503 || d.LastResponse != "answer 503" ||
			d.LastError != "the receiver answered 503" || d.NextAttemptAt != "" {
			t.Fatalf("%+v", d)
		}
	})
}

// TestWebhookRoutes: the routes check what they are given, need
// webhooks:write, and see only their own ledger's webhooks.
func TestWebhookRoutes(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		seedLedger(e)
		e.Ledger("YYY", "SE", customer.NumbersClient)
		hooks := e.Token("XXX", customer.ScopeWebhooks)
		for body, field := range map[string]string{
			`{}`: "url",
			`{"url":"http://receiver.example/hook","events":["customer.*"]}`:           "url",
			`{"url":"https://127.0.0.1/hook","events":["customer.*"]}`:                 "url",
			`{"url":"https://10.1.2.3/hook","events":["customer.*"]}`:                  "url",
			`{"url":"https://[::1]/hook","events":["customer.*"]}`:                     "url",
			`{"url":"https://169.254.169.254/latest","events":["customer.*"]}`:         "url",
			`{"url":"https://u:p@93.184.216.34/","events":["customer.*"]}`:             "url",
			`{"url":"https://93.184.216.34/","events":[]}`:                             "events",
			`{"url":"https://93.184.216.34/","events":["customer.nothing"]}`:           "events",
			`{"url":"https://93.184.216.34/","events":"customer.*"}`:                   "events",
			`{"url":"https://93.184.216.34/","events":["customer.*"],"secret":"mine"}`: "secret",
		} {
			res := e.Call("POST", ledgerPath+"/webhooks", hooks, body)
			want(t, res, http.StatusBadRequest)
			if !strings.Contains(string(res.Body), `"`+field+`"`) {
				t.Errorf("%s: the problem does not name %s:\n%s", body, field, res.Body)
			}
		}
		w := createWebhook(t, e, hooks, `{"url":"https://93.184.216.34/hook","events":["customer.updated","customer.created"]}`)
		if strings.Join(w.Events, ",") != "customer.created,customer.updated" {
			t.Errorf("events %v", w.Events)
		}
		want(t, e.Call("POST", ledgerPath+"/webhooks", e.Token("XXX", customer.ScopeWrite, customer.ScopeEvents), `{"url":"https://93.184.216.34/"}`), http.StatusForbidden)
		want(t, e.Call("GET", ledgerPath+"/webhooks", e.Token("XXX", customer.ScopeRead), ""), http.StatusForbidden)
		other := e.Token("YYY", customer.ScopeWebhooks)
		want(t, e.Call("GET", "/ledger/customer/v1/YYY/webhooks/"+w.WebhookID, other, ""), http.StatusNotFound)
		want(t, e.Call("DELETE", "/ledger/customer/v1/YYY/webhooks/"+w.WebhookID, other, ""), http.StatusNotFound)
		want(t, e.Call("GET", ledgerPath+"/webhooks/nonsense", hooks, ""), http.StatusNotFound)

		list := e.Call("GET", ledgerPath+"/webhooks", hooks, "")
		want(t, list, http.StatusOK)
		if !strings.Contains(string(list.Body), w.WebhookID) || strings.Contains(string(list.Body), "whsec_") {
			t.Errorf("list %s", list.Body)
		}
		want(t, e.Call("GET", w.Deliveries+"?take=0", hooks, ""), http.StatusBadRequest)
		want(t, e.Call("DELETE", w.ID, hooks, ""), http.StatusNoContent)
		want(t, e.Call("GET", w.ID, hooks, ""), http.StatusNotFound)
		want(t, e.Call("GET", w.Deliveries, hooks, ""), http.StatusNotFound)
	})
}
