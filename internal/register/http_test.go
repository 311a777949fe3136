package register_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/register"
	"github.com/kund/kund/internal/register/registertest"
)

var (
	ctx   = context.Background()
	britt = registertest.Person{Country: "SE", RegNo: "19811218-9876", FirstName: "Britt-Marie", LastName: "Axelstopp",
		CoAddress: "c/o Jansson", StreetAddress: "The street 18", ZipCode: "15961", City: "STOCKHOLM", Phone: "+46701234567"}
	kari = registertest.Person{Country: "NO", RegNo: "01010750160", FirstName: "Kari", LastName: "Nordmann",
		StreetAddress: "Storgata 1", ZipCode: "0150", City: "OSLO", Phone: "+46701234567"}
)

// clock is a test clock that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newHTTP(t *testing.T, url string, o register.HTTPOptions) *register.HTTP {
	t.Helper()
	h, err := register.NewHTTP(url, o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHTTPLookup(t *testing.T) {
	srv := registertest.Start(t, britt, kari)
	h := newHTTP(t, srv.URL, register.HTTPOptions{})
	p, err := h.Lookup(ctx, "SE", "19811218-9876")
	if err != nil || p.Name() != "Britt-Marie Axelstopp" || p.Address.CoAddress != "c/o Jansson" || p.Address.ZipCode != "15961" || p.Deceased {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := h.Lookup(ctx, "SE", "19121212-1212"); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("not found: %v", err)
	}
	if _, err := h.LookupPhone(ctx, "+46701234567"); !errors.Is(err, register.ErrAmbiguous) {
		t.Fatalf("a shared phone: %v", err)
	}
	srv.Set(britt)
	if p, err := h.LookupPhone(ctx, "+46701234567"); err != nil || p.RegNo != britt.RegNo {
		t.Fatalf("phone: %+v %v", p, err)
	}

	// Answers that are not a valid person are the register failing.
	for _, raw := range []string{
		`{"country":"SE","regNo":"19811218-9876","firstName":"B","lastName":"A","zipCode":"1","city":"X","protectedIdentity":false,"deceased":false,"phone":""}`,
		`{"country":"SE","regNo":"19121212-1212","firstName":"T","lastName":"T","zipCode":"11122","city":"X","protectedIdentity":false,"deceased":false,"phone":""}`,
		`{"surprise":true}`,
		`not json`,
	} {
		srv.AnswerRaw(raw)
		if _, err := h.Lookup(ctx, "SE", "19811218-9876"); !errors.Is(err, register.ErrUnavailable) {
			t.Fatalf("answer %s: %v", raw, err)
		}
	}
	if _, err := register.NewHTTP("ftp://x", register.HTTPOptions{}); err == nil {
		t.Fatal("a non-HTTP URL must be refused")
	}
}

func TestHTTPRetriesThenGivesUp(t *testing.T) {
	srv := registertest.Start(t, britt)
	h := newHTTP(t, srv.URL, register.HTTPOptions{Retries: 2, Backoff: time.Millisecond})
	srv.FailNext(2)
	if _, err := h.Lookup(ctx, "SE", britt.RegNo); err != nil {
		t.Fatalf("two failures then an answer: %v", err)
	}
	if srv.Hits() != 3 {
		t.Fatalf("hits %d, want 3", srv.Hits())
	}
	srv.FailNext(3)
	if _, err := h.Lookup(ctx, "SE", britt.RegNo); !errors.Is(err, register.ErrUnavailable) {
		t.Fatalf("three failures: %v", err)
	}
	if srv.Hits() != 6 {
		t.Fatalf("hits %d, want 6", srv.Hits())
	}
	// Not found is an answer: never retried.
	h.Lookup(ctx, "SE", "19121212-1212")
	if srv.Hits() != 7 {
		t.Fatalf("hits %d, want 7", srv.Hits())
	}
}

func TestHTTPTimeoutAndStoppedRegister(t *testing.T) {
	srv := registertest.Start(t, britt)
	srv.Delay(5 * time.Second)
	h := newHTTP(t, srv.URL, register.HTTPOptions{Timeout: 100 * time.Millisecond, Backoff: time.Millisecond})
	if _, err := h.Lookup(ctx, "SE", britt.RegNo); !errors.Is(err, register.ErrUnavailable) {
		t.Fatalf("slow register: %v", err)
	}
	srv.Stop()
	if _, err := h.Lookup(ctx, "SE", britt.RegNo); !errors.Is(err, register.ErrUnavailable) {
		t.Fatalf("stopped register: %v", err)
	}
}

func TestHTTPCircuitBreaker(t *testing.T) {
	srv := registertest.Start(t, britt)
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHTTP(t, srv.URL, register.HTTPOptions{Retries: -1, BreakerFailures: 3, BreakerCooldown: time.Minute, Now: c.now})
	srv.FailNext(100)
	for i := 0; i < 3; i++ {
		h.Lookup(ctx, "SE", britt.RegNo)
	}
	if !h.Open() || srv.Hits() != 3 {
		t.Fatalf("open=%v hits=%d after 3 failures", h.Open(), srv.Hits())
	}
	if _, err := h.Lookup(ctx, "SE", britt.RegNo); !errors.Is(err, register.ErrUnavailable) || srv.Hits() != 3 {
		t.Fatalf("an open circuit asked the register: %v, hits %d", err, srv.Hits())
	}
	// After the cooldown one trial goes through; it fails, the circuit stays open.
	c.add(time.Minute)
	h.Lookup(ctx, "SE", britt.RegNo)
	if srv.Hits() != 4 || !h.Open() {
		t.Fatalf("trial: hits %d open %v", srv.Hits(), h.Open())
	}
	h.Lookup(ctx, "SE", britt.RegNo)
	if srv.Hits() != 4 {
		t.Fatalf("the failed trial restarted the cooldown, yet hits %d", srv.Hits())
	}
	// The register recovers: the next trial closes the circuit.
	srv.FailNext(0)
	c.add(time.Minute)
	if _, err := h.Lookup(ctx, "SE", britt.RegNo); err != nil || h.Open() {
		t.Fatalf("recovery: %v open %v", err, h.Open())
	}
}

func TestCache(t *testing.T) {
	srv := registertest.Start(t, britt)
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cache := register.NewCache(newHTTP(t, srv.URL, register.HTTPOptions{Retries: -1}), time.Minute, 10, c.now)
	for i := 0; i < 3; i++ {
		if p, err := cache.Lookup(ctx, "SE", britt.RegNo); err != nil || p.RegNo != britt.RegNo {
			t.Fatal(p, err)
		}
		if _, err := cache.Lookup(ctx, "SE", "19121212-1212"); !errors.Is(err, register.ErrNotFound) {
			t.Fatal(err)
		}
	}
	if srv.Hits() != 2 {
		t.Fatalf("hits %d, want 2: one per person", srv.Hits())
	}
	// Failures are not cached.
	srv.FailNext(1)
	if _, err := cache.LookupPhone(ctx, britt.Phone); !errors.Is(err, register.ErrUnavailable) {
		t.Fatal(err)
	}
	if p, err := cache.LookupPhone(ctx, britt.Phone); err != nil || p.RegNo != britt.RegNo || srv.Hits() != 4 {
		t.Fatalf("%v %v hits %d", p, err, srv.Hits())
	}
	// After the TTL the register is asked again and sees the move.
	moved := britt
	moved.StreetAddress, moved.CoAddress = "Vasagatan 3", ""
	srv.Set(moved)
	if p, _ := cache.Lookup(ctx, "SE", britt.RegNo); p.Address.StreetAddress != "The street 18" {
		t.Fatalf("within the TTL: %+v", p)
	}
	c.add(time.Minute)
	if p, _ := cache.Lookup(ctx, "SE", britt.RegNo); p.Address.StreetAddress != "Vasagatan 3" {
		t.Fatalf("after the TTL: %+v", p)
	}
}
