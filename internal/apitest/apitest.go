// Package apitest starts a real Kund for end-to-end tests: the assembled
// handler of internal/app on a real HTTP server at 127.0.0.1:0, on a real
// database of each available backend. It also watches the request log and
// fails a test whose log shows an identity number or an e-mail address
// that the test sent.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
)

// Backend opens a fresh, empty, migrated store for one test.
type Backend struct {
	Name string
	Open func(t testing.TB) app.Store
	// Dump is everything the database of a store of this backend holds
	// on disk, as a backup or a thief would read it: SQLite's file and
	// WAL, PostgreSQL's pg_dump.
	Dump func(t testing.TB, s app.Store) []byte
}

// SQLite is the embedded backend on a file under t.TempDir().
var SQLite = Backend{Name: "sqlite", Open: func(t testing.TB) app.Store {
	s, err := app.OpenStore(context.Background(), filepath.Join(t.TempDir(), "kund.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}, Dump: func(t testing.TB, s app.Store) []byte {
	p, ok := s.(interface{ Path() string })
	if !ok {
		t.Fatal("apitest: not a store of the sqlite backend")
	}
	var all []byte
	for _, f := range []string{p.Path(), p.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}}

// extraBackends are registered by other test helpers (PostgreSQL).
var extraBackends []Backend

// Register adds a backend that Backends returns.
func Register(b Backend) { extraBackends = append(extraBackends, b) }

// Backends lists every backend the tests run on.
func Backends() []Backend { return append([]Backend{SQLite}, extraBackends...) }

// Env is one running Kund.
type Env struct {
	T     testing.TB
	URL   string
	Kund  *app.Kund
	Store app.Store
	Now   time.Time // the clock of the Kund; tests may move it

	mu        sync.Mutex
	log       bytes.Buffer
	sensitive map[string]bool
	clockMu   sync.Mutex
}

// Start runs Kund on backend b until the test ends.
func Start(t testing.TB, b Backend) *Env {
	t.Helper()
	return StartWith(t, b, nil)
}

// StartWith is Start with a configuration hook: configure, when not nil,
// may set what a test needs (a population register, the HTTP front's
// limits) before Kund is built. The limiter runs on the Kund's clock, so
// tests move it.
func StartWith(t testing.TB, b Backend, configure func(*app.Config)) *Env {
	t.Helper()
	e := &Env{T: t, Store: b.Open(t), sensitive: map[string]bool{}, Now: time.Now().UTC()}
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{e: e}, nil))
	cfg := app.Config{Log: logger, Now: e.clock}
	cfg.HTTP.Now = e.clock
	if configure != nil {
		configure(&cfg)
	}
	e.Kund = app.New(e.Store, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// What net/http logs itself is a warning of the same JSON log.
	srv := &http.Server{Handler: e.Kund.Handler, ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	e.URL = "http://" + ln.Addr().String()
	delivering, stopDelivering := context.WithCancel(context.Background())
	delivered := make(chan error, 3)
	go func() { delivered <- e.Kund.RunDeliveries(delivering) }()
	go func() { delivered <- e.Kund.RunNATS(delivering) }()
	go func() { delivered <- e.Kund.RunMonitor(delivering) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		stopDelivering()
		for range 3 {
			if err := <-delivered; err != nil {
				t.Errorf("webhooks, NATS or the register monitor: %v", err)
			}
		}
		e.checkLog()
	})
	return e
}

func (e *Env) clock() time.Time {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	return e.Now
}

// Advance moves the Kund's clock forward.
func (e *Env) Advance(d time.Duration) {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	e.Now = e.Now.Add(d)
}

type lockedWriter struct{ e *Env }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.e.mu.Lock()
	defer w.e.mu.Unlock()
	return w.e.log.Write(p)
}

// Log returns what Kund logged so far.
func (e *Env) Log() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.log.String()
}

// checkLog fails the test when anything sensitive the test sent appears
// in the log.
func (e *Env) checkLog() {
	log := e.Log()
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.sensitive {
		if strings.Contains(log, s) {
			e.T.Errorf("the log shows personal data %q that a request carried", s)
		}
	}
	for _, s := range ScanPersonalData(log) {
		e.T.Errorf("the log shows what looks like personal data: %q", s)
	}
}

// noteSensitive remembers every string in a request body that looks like
// an identity number (6 digits or more) or an e-mail address.
func (e *Env) noteSensitive(v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			e.noteSensitive(x)
		}
	case []any:
		for _, x := range v {
			e.noteSensitive(x)
		}
	case string:
		digits := 0
		for _, r := range v {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits >= 6 || strings.Contains(v, "@") {
			e.mu.Lock()
			e.sensitive[v] = true
			e.mu.Unlock()
		}
	}
}

// Ledger creates a ledger.
func (e *Env) Ledger(no, country, numbers string) *customer.Ledger {
	e.T.Helper()
	l := &customer.Ledger{No: no, Country: country, CustomerNumbers: numbers}
	if err := e.Kund.Service.CreateLedger(context.Background(), l); err != nil {
		e.T.Fatal(err)
	}
	return l
}

// Token issues a token of a ledger with scopes.
func (e *Env) Token(ledgerNo string, scopes ...customer.Scope) string {
	e.T.Helper()
	tok, err := e.Kund.CreateToken(context.Background(), ledgerNo, scopes, 0)
	if err != nil {
		e.T.Fatal(err)
	}
	return tok
}

// Response is an answer of Kund.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r *Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// Request is a request to send.
type Request struct {
	Method string
	Path   string
	Token  string
	Body   string // raw body; sent with Content-Type application/json unless Header says otherwise
	Header map[string]string
}

// Do sends a request and reads the whole answer.
func (e *Env) Do(req Request) *Response {
	e.T.Helper()
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
		var v any
		if json.Unmarshal([]byte(req.Body), &v) == nil {
			e.noteSensitive(v)
		}
	}
	r, err := http.NewRequest(req.Method, e.URL+req.Path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	if req.Body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		if k == "Host" {
			r.Host = v // the client sends r.Host, never a Host in r.Header
			continue
		}
		r.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		e.T.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	out := &Response{Status: res.StatusCode, Header: res.Header, Body: b}
	e.checkContract(r, req.Body, out)
	return out
}

// Call is Do for the common case.
func (e *Env) Call(method, path, token, body string) *Response {
	e.T.Helper()
	return e.Do(Request{Method: method, Path: path, Token: token, Body: body})
}

// TokenID is the id of a token's plaintext: the part between its dots,
// which names the token's idempotency keys and disclosure-log entries.
func TokenID(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}
