package httpapi_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

// knownMethods are the methods Kund serves; every other one is OTHER in
// the metrics and the log.
var knownMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// TestUnknownMethodsNotRecorded sends hundreds of made-up methods and one
// that is a personal number: each is answered 501, /metrics holds no method
// label but the known ones and OTHER, grows by nothing with every new
// method, and neither it nor the log shows the personal number.
func TestUnknownMethodsNotRecorded(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	e.Ledger("L1", "SE", customer.NumbersClient)
	tok := e.Token("L1", customer.ScopeRead)
	path := "/ledger/customer/v1/L1/customers"
	for _, m := range knownMethods {
		e.Do(apitest.Request{Method: m, Path: path, Token: tok})
	}
	// A scrape is counted after it is answered: the first one's series
	// shows from the second on.
	scrapeRequests(t, e)
	rng := rand.New(rand.NewPCG(14, 6))
	madeUp := func(n int) {
		t.Helper()
		for range n {
			b := make([]byte, 8+rng.IntN(8))
			for i := range b {
				b[i] = byte('A' + rng.IntN(26))
			}
			res := e.Do(apitest.Request{Method: string(b), Path: path, Token: tok})
			problem(t, res, http.StatusNotImplemented, customer.EMETHODNOTALLOWED)
		}
	}
	madeUp(200)
	size1, series1 := scrapeRequests(t, e)
	madeUp(200)
	size2, series2 := scrapeRequests(t, e)
	if !slices.Equal(series1, series2) {
		t.Errorf("200 more made-up methods changed the request series:\nbefore %v\nafter  %v", series1, series2)
	}
	// One series more per method would be some 2 KB each; the counters'
	// and the runtime's digits may change by a few bytes.
	if size2 > size1+1024 {
		t.Errorf("/metrics grew from %d to %d bytes with 200 more made-up methods", size1, size2)
	}

	const personalNumber = "19121212-1212"
	res := e.Do(apitest.Request{Method: personalNumber, Path: path + "/" + personalNumber, Token: tok})
	problem(t, res, http.StatusNotImplemented, customer.EMETHODNOTALLOWED)
	if strings.Contains(string(res.Body), personalNumber) {
		t.Errorf("the answer repeats the method: %s", res.Body)
	}
	metrics := string(e.Call("GET", "/metrics", "", "").Body)
	if strings.Contains(metrics, personalNumber) || strings.Contains(metrics, "19121212") {
		t.Error("/metrics shows the personal number sent as the method")
	}
	for _, l := range labelValues(metrics, "method") {
		if l != "OTHER" && !slices.Contains(knownMethods, l) {
			t.Errorf("/metrics has the method label %q", l)
		}
	}
	for _, l := range labelValues(metrics, "route") {
		if l != "unrouted" && !strings.Contains(l, " /") {
			t.Errorf("/metrics has the route label %q, which is no route pattern", l)
		}
	}
	if !strings.Contains(metrics, `kund_http_requests_total{method="OTHER",route="unrouted",status="501"} 401`) {
		t.Errorf("/metrics does not count the 401 made-up methods as OTHER, unrouted, 501:\n%s", grepLines(metrics, "kund_http_requests_total"))
	}
	log := e.Log()
	if strings.Contains(log, personalNumber) || strings.Contains(log, "19121212") {
		t.Error("the log shows the personal number sent as the method")
	}
	other := 0
	for _, l := range logLines(t, e) {
		if l.Msg == "request" && l.Status == http.StatusNotImplemented {
			if l.Method != "OTHER" || l.Route != "unrouted" {
				t.Fatalf("a made-up method is logged as method %q, route %q", l.Method, l.Route)
			}
			other++
		}
	}
	if other != 401 {
		t.Errorf("the log has %d lines of made-up methods, want 401", other)
	}
}

type logLine struct {
	Level     string `json:"level"`
	Msg       string `json:"msg"`
	Method    string `json:"method"`
	Route     string `json:"route"`
	Status    int    `json:"status"`
	RequestID string `json:"request_id"`
}

// logLines parses the JSON log of e, one line each.
func logLines(t *testing.T, e *apitest.Env) []logLine {
	t.Helper()
	var out []logLine
	for _, s := range strings.Split(strings.TrimSpace(e.Log()), "\n") {
		if s == "" {
			continue
		}
		var l logLine
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("a log line is not JSON: %q", s)
		}
		out = append(out, l)
	}
	return out
}

var labelPattern = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

// labelValues lists the distinct values of a label in a scrape.
func labelValues(metrics, label string) []string {
	var out []string
	for _, m := range labelPattern.FindAllStringSubmatch(metrics, -1) {
		if m[1] == label && !slices.Contains(out, m[2]) {
			out = append(out, m[2])
		}
	}
	return out
}

// scrapeRequests returns the size of /metrics and its request series
// (kund_http_* without their values).
func scrapeRequests(t *testing.T, e *apitest.Env) (int, []string) {
	t.Helper()
	res := e.Call("GET", "/metrics", "", "")
	want(t, res, http.StatusOK)
	var series []string
	for _, l := range strings.Split(string(res.Body), "\n") {
		if strings.HasPrefix(l, "kund_http_") {
			series = append(series, l[:strings.LastIndexByte(l, ' ')])
		}
	}
	return len(res.Body), series
}

// grepLines returns the lines of s that hold substr.
func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
