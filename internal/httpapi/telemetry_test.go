package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestNoSuperfluousWriteHeader drives the case that made net/http log
// "superfluous response.WriteHeader call": an error written after the
// answer had begun, when writing a body failed because the client reset
// the connection. A client pipelines list requests without reading their
// answers until the server blocks writing one, then resets. Neither the
// JSON log nor net/http's own log may show a superfluous WriteHeader.
func TestNoSuperfluousWriteHeader(t *testing.T) {
	stdlog := captureStdLog(t)
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead, customer.ScopeWrite)
		path := "/ledger/customer/v1/L1/customers"
		for i := range 50 {
			want(t, e.Call("POST", path, tok, fmt.Sprintf(`{"customerNo":"%d","name":"Customer with a fairly long name %d",`+
				`"legalAddress":{"addressee":"Addressee %d","streetAddress":"Storgatan %d","city":"Stockholm","zipCode":"11122","countryCode":"SE"}}`,
				i, i, i, i)), http.StatusCreated)
		}
		list := path + "?take=50"
		page := len(e.Call("GET", list, tok, "").Body)
		if page <= 4096 {
			t.Fatalf("a page of %d bytes fits net/http's buffers; the write would not fail in the handler", page)
		}
		const route = "GET /ledger/customer/v1/{ledgerNo}/customers"
		before := countRequests(t, e, route)
		conn := dialTCP(t, e)
		conn.SetReadBuffer(4096)
		req := "GET " + list + " HTTP/1.1\r\nHost: kund\r\nAuthorization: Bearer " + tok + "\r\n\r\n"
		// Answers to far more than the socket buffers of both ends hold (a
		// few MB). The requests are written on the side: once the server
		// stops reading them, the write waits until the reset.
		n := 16<<20/page + 1
		go conn.Write([]byte(strings.Repeat(req, n)))
		settle(t, e, route)
		if served := countRequests(t, e, route) - before; served >= n {
			t.Fatalf("the server answered all %d requests; it never blocked writing", n)
		}
		conn.SetLinger(0)
		conn.Close()
		settle(t, e, route)

		log := e.Log()
		if strings.Contains(log, "superfluous") || strings.Contains(stdlog.String(), "superfluous") {
			t.Errorf("a log shows a superfluous WriteHeader:\n%s\n%s", grepLines(log, "superfluous"), grepLines(stdlog.String(), "superfluous"))
		}
	})
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

func countRequests(t *testing.T, e *apitest.Env, route string) int {
	t.Helper()
	n := 0
	for _, l := range logLines(t, e) {
		if l.Msg == "request" && l.Route == route {
			n++
		}
	}
	return n
}

// settle waits until the server has logged no new request of route for
// half a second: the aborted requests it saw are finished.
func settle(t *testing.T, e *apitest.Env, route string) {
	t.Helper()
	last, since := -1, time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if n := countRequests(t, e, route); n != last {
			last, since = n, time.Now()
		} else if time.Since(since) > 500*time.Millisecond {
			return
		}
	}
	t.Fatal("the server kept logging requests")
}

func dialTCP(t *testing.T, e *apitest.Env) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return c.(*net.TCPConn)
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

// captureStdLog collects what is logged through the standard log package
// (where net/http writes without a Server.ErrorLog) until the test ends.
func captureStdLog(t *testing.T) *lockedBuffer {
	b := &lockedBuffer{}
	prev := log.Writer()
	log.SetOutput(b)
	t.Cleanup(func() { log.SetOutput(prev) })
	return b
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
