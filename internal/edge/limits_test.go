package edge

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// TestClientAddr: the peer's address, or behind a trusted proxy the hop the
// proxy appended; an IPv6 address counts as its /64.
func TestClientAddr(t *testing.T) {
	for _, c := range []struct {
		remote string
		fwd    []string
		trust  bool
		want   string
	}{
		{"192.0.2.7:4711", nil, false, "192.0.2.7"},
		{"192.0.2.7:4711", []string{"198.51.100.1"}, false, "192.0.2.7"},
		{"192.0.2.7:4711", []string{"198.51.100.1"}, true, "198.51.100.1"},
		// A client may send its own X-Forwarded-For; the proxy appends the
		// address it saw, which is the one that counts.
		{"192.0.2.7:4711", []string{"203.0.113.5, 198.51.100.1"}, true, "198.51.100.1"},
		{"192.0.2.7:4711", []string{"203.0.113.5", "198.51.100.1"}, true, "198.51.100.1"},
		{"192.0.2.7:4711", nil, true, "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:4711", nil, false, "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:4711", nil, false, "2001:db8:1:2::/64"},
		{"192.0.2.7:4711", []string{"2001:db8:9:9::1"}, true, "2001:db8:9:9::/64"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, f := range c.fwd {
			r.Header.Add("X-Forwarded-For", f)
		}
		if got := clientAddr(r, c.trust); got != c.want {
			t.Errorf("%s %v trust=%v: got %s, want %s", c.remote, c.fwd, c.trust, got, c.want)
		}
	}
}

// TestBucketsForgetRefilled: a key's bucket goes once it has refilled, so
// memory follows the keys recently busy.
func TestBucketsForgetRefilled(t *testing.T) {
	b := newBuckets(Limit{Rate: 1, Burst: 2})
	now := testNow
	for i := range 1000 {
		b.take("addr"+strconv.Itoa(i), 0, 1, now)
	}
	if len(b.m) != 1000 {
		t.Fatalf("%d buckets", len(b.m))
	}
	b.take("late", 0, 1, now.Add(2*time.Minute))
	if len(b.m) != 1 {
		t.Fatalf("after a minute and more, %d buckets are kept, want the one just used", len(b.m))
	}
}

var testNow = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
