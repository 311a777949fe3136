package edge

import (
	"math"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a sustained rate per second with a burst: a token bucket. A
// zero Rate is no limit.
type Limit struct {
	Rate  float64
	Burst int
}

func (l Limit) on() bool { return l.Rate > 0 }

// burst is the bucket's size: Burst, or twice the rate when none is given.
func (l Limit) burst() int {
	if l.Burst > 0 {
		return l.Burst
	}
	return max(1, int(math.Ceil(2*l.Rate)))
}

// Limits are the operator's rate limits (docs/security.md). They protect
// where abuse comes from, and by default never throttle a well-behaved
// server-to-server integration: every request of one credential is
// unlimited unless Requests (or the credential's own rate) says otherwise.
// Lookups, the routes that answer "who is this?", cost a unit when they
// find someone and customer.LookupMissCost units when they do not, since
// enumerating identity numbers is mostly misses.
type Limits struct {
	// Requests: every request of one credential, any route.
	Requests Limit
	// Failures: failed authentications from one client address; an
	// address without failures left is refused before anything is checked.
	Failures Limit
	// Lookups: lookup units of one credential.
	Lookups Limit
	// LedgerLookups: lookup units of one ledger, all credentials together.
	LedgerLookups Limit
	// AddressLookups: lookup units of browser-held credentials (Worldline
	// client sessions) from one client address, across sessions.
	AddressLookups Limit
}

// DefaultLimits are the limits of `kund serve` when no flag says otherwise.
func DefaultLimits() Limits {
	return Limits{
		Failures:       Limit{Rate: 1, Burst: 20},
		Lookups:        Limit{Rate: 100, Burst: 1000},
		LedgerLookups:  Limit{Rate: 500, Burst: 5000},
		AddressLookups: Limit{Rate: 0.2, Burst: 30},
	}
}

// Buckets is a token bucket per key, for a limit of an API's own (the
// tokens a Payway client may mint).
type Buckets struct{ b *buckets }

// NewBuckets returns a bucket per key, each of limit l.
func NewBuckets(l Limit) *Buckets { return &Buckets{newBuckets(l)} }

// Take spends one unit of key's bucket, or says how long to wait.
func (b *Buckets) Take(key string, now time.Time) (bool, time.Duration) {
	return b.b.take(key, 0, 1, now)
}

// buckets is a token bucket per key (a credential, an address, a ledger).
// Buckets that have refilled carry no state worth keeping and are
// forgotten now and then, so memory follows the number of keys recently
// busy, not of keys ever seen.
type buckets struct {
	limit Limit

	mu    sync.Mutex
	m     map[string]*rate.Limiter
	sweep time.Time
}

func newBuckets(l Limit) *buckets { return &buckets{limit: l, m: map[string]*rate.Limiter{}} }

// get returns the bucket of key; own, when positive, is the key's own rate.
func (b *buckets) get(key string, own float64, now time.Time) *rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.sweep) > time.Minute {
		for k, l := range b.m {
			if l.TokensAt(now) >= float64(l.Burst()) {
				delete(b.m, k)
			}
		}
		b.sweep = now
	}
	l := b.m[key]
	if l == nil {
		limit := b.limit
		if own > 0 {
			limit = Limit{Rate: own}
		}
		l = rate.NewLimiter(rate.Limit(limit.Rate), limit.burst())
		b.m[key] = l
	}
	return l
}

// take spends n units of key's bucket now, or spends nothing and says how
// long to wait.
func (b *buckets) take(key string, own float64, n int, now time.Time) (bool, time.Duration) {
	_, ok, wait := b.reserve(key, own, n, now)
	return ok, wait
}

// reserve is take, returning what was spent so that it can be given back
// (nil when the bucket has no limit).
func (b *buckets) reserve(key string, own float64, n int, now time.Time) (*rate.Reservation, bool, time.Duration) {
	if b == nil || (!b.limit.on() && own <= 0) {
		return nil, true, 0
	}
	r := b.get(key, own, now).ReserveN(now, n)
	if !r.OK() {
		return nil, false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, false, d
	}
	return r, true, 0
}

// owe spends n units of key's bucket even when it has fewer: the debt is
// paid by waiting longer before the next request.
func (b *buckets) owe(key string, n int, now time.Time) {
	if b == nil || !b.limit.on() || n <= 0 {
		return
	}
	l := b.get(key, 0, now)
	l.ReserveN(now, min(n, l.Burst()))
}

// empty reports whether key's bucket has less than one unit left, and how
// long until it has one. A key without a bucket is full: no bucket is made
// for it, so that an address costs memory only once it failed.
func (b *buckets) empty(key string, now time.Time) (bool, time.Duration) {
	if b == nil || !b.limit.on() {
		return false, 0
	}
	b.mu.Lock()
	l := b.m[key]
	b.mu.Unlock()
	if l == nil {
		return false, 0
	}
	left := l.TokensAt(now)
	if left >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - left) / float64(l.Limit()) * float64(time.Second))
}

// clientAddr is the address a request came from: the peer, or behind a
// trusted proxy the last hop of X-Forwarded-For, which that proxy added.
// An IPv6 address stands for its /64, which one subscriber holds whole.
// ClientAddr is the client's address as the limits count it: the peer,
// or with trustProxy the last hop of X-Forwarded-For; an IPv6 address as
// its /64. The console's sign-in throttle counts the same way.
func ClientAddr(r *http.Request, trustProxy bool) string { return clientAddr(r, trustProxy) }

func clientAddr(r *http.Request, trustProxy bool) string {
	addr := r.RemoteAddr
	if trustProxy {
		if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
			hops := strings.Split(fwd[len(fwd)-1], ",")
			addr = strings.TrimSpace(hops[len(hops)-1])
		}
	}
	host := addr
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		host = addr[:strings.LastIndexByte(addr, ':')]
		if ap.Addr().Is4() {
			return host // the common case, without an allocation
		}
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	switch {
	case err != nil:
		return host
	case ip.Unmap().Is4():
		return ip.Unmap().String()
	}
	p, _ := ip.WithZone("").Prefix(64)
	return p.String()
}
