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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
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
// JSON log nor net/http's own log may show a superfluous WriteHeader or an
// internal error; the request is logged as the client going away (499).
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
		for _, bad := range []string{"superfluous", "internal error"} {
			if strings.Contains(log, bad) || strings.Contains(stdlog.String(), bad) {
				t.Errorf("a log shows %q:\n%s\n%s", bad, grepLines(log, bad), grepLines(stdlog.String(), bad))
			}
		}
		if !slices.ContainsFunc(logLines(t, e), func(l logLine) bool {
			return l.Msg == "request" && l.Route == route && l.Status == 499
		}) {
			t.Errorf("no request of the reset connection is logged with 499")
		}
		noServerErrors(t, e, route)
	})
}

// TestClientAbortsAreNotServerErrors resets 50 connections right after
// each sent a GET of a customer, as the attack review did: a client that
// leaves is logged as such, never as an internal error, and /metrics
// counts no 5xx for the route.
func TestClientAbortsAreNotServerErrors(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead, customer.ScopeWrite)
		want(t, e.Call("POST", "/ledger/customer/v1/L1/customers", tok, idemBody), http.StatusCreated)
		req := "GET /ledger/customer/v1/L1/customers/501 HTTP/1.1\r\nHost: kund\r\nAuthorization: Bearer " + tok + "\r\n\r\n"
		for range 50 {
			conn := dialTCP(t, e)
			if _, err := conn.Write([]byte(req)); err != nil {
				t.Fatal(err)
			}
			conn.SetLinger(0)
			conn.Close()
		}
		const route = "GET /ledger/customer/v1/{ledgerNo}/customers/{customerNo}"
		settle(t, e, route)
		if log := e.Log(); strings.Contains(log, "internal error") {
			t.Errorf("a reset GET is logged as an internal error:\n%s", grepLines(log, "internal error"))
		}
		noServerErrors(t, e, route)
		gone := 0
		for _, l := range logLines(t, e) {
			if l.Msg == "client went away" {
				gone++
				if l.Level != "INFO" || l.Route != route || l.RequestID == "" {
					t.Errorf("client went away: level %s, route %q, request id %q", l.Level, l.Route, l.RequestID)
				}
			}
		}
		t.Logf("%d of 50 reset GETs were cut short by the reset", gone)
	})
}

// TestCreateClientGone sends creates under Idempotency-Keys and resets
// each connection 0-19 ms after sending, before, during or after the
// write. Then each key's retry answers 201, the stored one (replayed) when
// the first create was written, and the ledger holds exactly one customer
// of that create, the one the 201 names, with everything it was sent:
// never a customer without its key's reply (the retry would make a
// second), a reply without its customer, or a customer in part. No create
// is logged as a server error.
func TestCreateClientGone(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("G1", "SE", customer.NumbersGenerated)
		tok := e.Token("G1", customer.ScopeRead, customer.ScopeWrite)
		path := "/ledger/customer/v1/G1/customers"
		const n = 40
		bodies := make([]string, n)
		for i := range bodies {
			regNo, ok := nordic.PersonalNumber("SE", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), i)
			if !ok {
				t.Fatalf("no personal number of serial %d", i)
			}
			bodies[i] = fmt.Sprintf(`{"name":"Gone %d","emailAddress":"gone%d@example.se","nationalIdentifier":{"regNo":%q,"countryCode":"SE"},`+
				`"legalAddress":{"addressee":"A %d","city":"Stockholm","zipCode":"11122","countryCode":"SE"}}`, i, i, regNo, i)
		}
		var wg sync.WaitGroup
		for i, b := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
				if err != nil {
					t.Error(err)
					return
				}
				fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kund\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
					"Idempotency-Key: gone-%d\r\nContent-Length: %d\r\n\r\n%s", path, tok, i, len(b), b)
				time.Sleep(time.Duration(i%20) * time.Millisecond)
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}()
		}
		wg.Wait()
		const route = "POST /ledger/customer/v1/{ledgerNo}/customers"
		settle(t, e, route)

		replayed := 0
		for i, b := range bodies {
			// 409 while the first create still runs; the Kund's clock
			// stands still, so a key that stayed claimed would stay 409.
			var retry *apitest.Response
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				retry = e.Do(apitest.Request{Method: "POST", Path: path, Token: tok, Body: b,
					Header: map[string]string{"Idempotency-Key": "gone-" + strconv.Itoa(i)}})
				if retry.Status != http.StatusConflict || time.Now().After(deadline) {
					break
				}
			}
			want(t, retry, http.StatusCreated)
			if retry.Header.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
			no, _ := retry.JSON(t)["customerNo"].(string)
			found := findByEmail(t, e, tok, path, fmt.Sprintf("gone%d@example.se", i))
			if len(found) != 1 || found[0]["customerNo"] != no {
				t.Errorf("create %d: the retry's 201 names customer %q, the ledger holds %v", i, no, found)
				continue
			}
			res := e.Call("GET", path+"/"+no+"?$expand=legaladdress", tok, "")
			want(t, res, http.StatusOK)
			c := res.JSON(t)
			la, _ := c["legalAddress"].(map[string]any)
			if c["name"] != fmt.Sprintf("Gone %d", i) || la == nil || la["addressee"] != fmt.Sprintf("A %d", i) {
				t.Errorf("create %d is there only in part: %s", i, res.Body)
			}
		}
		t.Logf("%d of %d reset creates were written before their retry", replayed, n)
		for _, l := range logLines(t, e) {
			if l.Route == route && l.Status >= 500 {
				t.Errorf("a create is logged with status %d", l.Status)
				break
			}
		}
		if log := e.Log(); strings.Contains(log, "internal error") {
			t.Errorf("a reset create is logged as an internal error:\n%s", grepLines(log, "internal error"))
		}
		noServerErrors(t, e, route)
	})
}

// findByEmail lists the customers of path with an e-mail address.
func findByEmail(t *testing.T, e *apitest.Env, tok, path, email string) []map[string]any {
	t.Helper()
	res := e.Call("GET", path+"?emailAddress="+email, tok, "")
	want(t, res, http.StatusOK)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(res.Body, &list); err != nil {
		t.Fatalf("list: %v\n%s", err, res.Body)
	}
	return list.Items
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

// noServerErrors fails the test when /metrics counts a 5xx for route.
func noServerErrors(t *testing.T, e *apitest.Env, route string) {
	t.Helper()
	for _, l := range strings.Split(string(e.Call("GET", "/metrics", "", "").Body), "\n") {
		if strings.HasPrefix(l, "kund_http_requests_total{") && strings.Contains(l, `route="`+route+`"`) &&
			strings.Contains(l, `status="5`) {
			t.Errorf("/metrics counts a server error: %s", l)
		}
	}
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
