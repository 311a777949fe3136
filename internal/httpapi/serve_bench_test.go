package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/bench"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
)

// Benchmarks of the whole native handler in one process: the assembled
// Kund of `kund serve` on a real SQLite file, its ServeHTTP called with
// prepared requests and a writer that throws the body away. No network and
// no load generator, so what they measure is Kund's own cost per request.
// They run only with -bench.

// serveBenchCustomers is how many customers the benchmark database holds.
const serveBenchCustomers = 4000

// discardWriter is the cheapest ResponseWriter: it keeps the header map
// (handlers read it back) and the status, and counts the body. Each
// request gets a new header map, as from net/http.
type discardWriter struct {
	header http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}

func (w *discardWriter) reset() {
	w.header = http.Header{}
	w.status, w.n = 0, 0
}

// rewindBody is a request body that can be read again without allocating.
type rewindBody struct {
	bytes.Reader
	b []byte
}

func (r *rewindBody) Close() error { return nil }
func (r *rewindBody) rewind()      { r.Reset(r.b) }

// serveBench prepares the database once per benchmark (the bench ledger
// through the import path, as `kund bench` does) and returns the handler
// of a Kund on it, with its request log in JSON as `kund serve` writes it,
// and a token with every scope.
func serveBench(b *testing.B) (http.Handler, string) {
	b.Helper()
	ctx := context.Background()
	db := filepath.Join(b.TempDir(), "bench.db")
	if _, _, err := bench.Prepare(ctx, db, "", serveBenchCustomers, io.Discard, false); err != nil {
		b.Fatal(err)
	}
	store, err := app.OpenStore(ctx, db, "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	k := app.New(store, app.Config{Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	tok, err := k.CreateToken(ctx, bench.Ledger, []customer.Scope{customer.ScopeAll}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return k.Handler, tok
}

// runServe calls h with the requests in turn and fails on any other
// status than want. Besides ns/op it reports cpu-ns/op, the CPU time of
// the process (garbage collection included) per request: on a machine
// shared with other work it varies less than the elapsed time.
func runServe(b *testing.B, h http.Handler, reqs []*http.Request, bodies []*rewindBody, want int) {
	b.Helper()
	w := &discardWriter{}
	b.ReportAllocs()
	i, n := 0, 0
	cpu0 := cpuTime(b)
	for b.Loop() {
		n++
		w.reset()
		if bodies != nil {
			bodies[i].rewind()
		}
		h.ServeHTTP(w, reqs[i])
		if w.status != want {
			b.Fatalf("status: got %d, want %d", w.status, want)
		}
		if i++; i == len(reqs) {
			i = 0
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(n), "cpu-ns/op")
}

// cpuTime is the user and system time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func getRequests(tok, query string) []*http.Request {
	var reqs []*http.Request
	for i := 0; i < serveBenchCustomers; i += 7 {
		r := httptest.NewRequest(http.MethodGet, httpapi.Base+bench.Ledger+"/customers/"+bench.CustomerNo(i)+query, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		reqs = append(reqs, r)
	}
	return reqs
}

func BenchmarkServeGetCustomer(b *testing.B) {
	h, tok := serveBench(b)
	runServe(b, h, getRequests(tok, ""), nil, http.StatusOK)
}

func BenchmarkServeGetCustomerExpand(b *testing.B) {
	h, tok := serveBench(b)
	runServe(b, h, getRequests(tok, "?$expand=legaladdress,billingaddress"), nil, http.StatusOK)
}

// BenchmarkServeHealthz is the cost every request shares (request id,
// headers, routing, metrics, the log line) with no store behind it.
func BenchmarkServeHealthz(b *testing.B) {
	h, _ := serveBench(b)
	runServe(b, h, []*http.Request{httptest.NewRequest(http.MethodGet, "/healthz", nil)}, nil, http.StatusOK)
}

func BenchmarkServeFindCustomer(b *testing.B) {
	h, tok := serveBench(b)
	var reqs []*http.Request
	var bodies []*rewindBody
	for i := 0; i < serveBenchCustomers; i += 7 {
		body := &rewindBody{b: []byte(`{"nationalIdentifier":{"regNo":"` + bench.PersonalNo(i) + `","countryCode":"SE"}}`)}
		body.rewind()
		r := httptest.NewRequest(http.MethodPost, httpapi.Base+bench.Ledger+"/find-customer", body)
		r.Header.Set("Authorization", "Bearer "+tok)
		r.Header.Set("Content-Type", "application/json")
		r.ContentLength = int64(len(body.b))
		reqs, bodies = append(reqs, r), append(bodies, body)
	}
	runServe(b, h, reqs, bodies, http.StatusOK)
}
