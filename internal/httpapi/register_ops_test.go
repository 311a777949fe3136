package httpapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/register"
)

// TestRegisterReady: /readyz names the register when an HTTP register is
// configured: ready while it answers, 503 once it is down, for the plain
// and the cached provider alike.
func TestRegisterReady(t *testing.T) {
	for _, ttl := range []time.Duration{0, time.Minute} {
		e, srv, _ := startHTTPRegister(t, register.HTTPOptions{Timeout: 500 * time.Millisecond}, ttl)
		ready := e.Call("GET", "/readyz", "", "")
		want(t, ready, http.StatusOK)
		jsonEqual(t, ready.Body, `{"status":"ready","checks":{"database":"ok","register":"ok"}}`)
		if srv.Hits() != 0 {
			t.Fatal("the readiness check asked the register about someone")
		}
		srv.Stop()
		start := time.Now()
		ready = e.Call("GET", "/readyz", "", "")
		want(t, ready, http.StatusServiceUnavailable)
		jsonEqual(t, ready.Body, `{"status":"unready","checks":{"database":"ok","register":"unavailable"}}`)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("an unready register took %s to report", d)
		}
	}
}

// TestRegisterReadyFile: a register file is in memory, hence always ready;
// without a register there is nothing to check.
func TestRegisterReadyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(path, []byte("country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := register.OpenFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := apitest.StartWith(t, apitest.SQLite, func(c *app.Config) { c.Register = f })
	jsonEqual(t, e.Call("GET", "/readyz", "", "").Body, `{"status":"ready","checks":{"database":"ok","register":"ok"}}`)
	e = apitest.Start(t, apitest.SQLite)
	jsonEqual(t, e.Call("GET", "/readyz", "", "").Body, `{"status":"ready","checks":{"database":"ok"}}`)
}

// TestRegisterMetrics: /metrics counts register lookups by outcome and
// times them.
func TestRegisterMetrics(t *testing.T) {
	e, srv, tok := startHTTPRegister(t, register.HTTPOptions{Retries: -1}, 0)
	metric := func(s string) bool {
		return strings.Contains(string(e.Call("GET", "/metrics", "", "").Body), s+"\n")
	}
	if !metric(`kund_register_lookups_total{outcome="error"} 0`) || !metric(`kund_register_lookup_duration_seconds_count 0`) {
		t.Fatal("the register metrics are not there before the first lookup")
	}
	want(t, e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "1")), 201)
	problem(t, e.Call("POST", generatePath, tok, generateBody("19800101-2387", "SE", "2")), 404, "person-not-found")
	problem(t, e.Call("POST", generatePath, tok, generateBody("19900101-2385", "SE", "3")), 404, "person-not-found")
	srv.FailNext(1)
	problem(t, e.Call("POST", generatePath, tok, generateBody("19900101-2385", "SE", "4")), 503, "population-register-unavailable")
	for _, s := range []string{
		`kund_register_lookups_total{outcome="found"} 1`,
		`kund_register_lookups_total{outcome="not_found"} 2`,
		`kund_register_lookups_total{outcome="error"} 1`,
		`kund_register_lookup_duration_seconds_count 4`,
		`kund_register_lookup_duration_seconds_bucket{le="+Inf"} 4`,
	} {
		if !metric(s) {
			t.Errorf("metrics lack %s", s)
		}
	}
}
