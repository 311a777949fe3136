package httpapi

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kund/kund/internal/customer"
)

// Options are the operator's settings of the HTTP front.
type Options struct {
	// Rate is the sustained number of requests per second one token may
	// make, Burst how many it may make at once. Rate 0 turns limiting off.
	Rate  float64
	Burst int
	// CORSOrigins are the browser origins allowed to call the API
	// ("https://app.example.com"); none means no CORS headers at all.
	CORSOrigins []string
	// Now is the limiter's clock; nil is time.Now.
	Now func() time.Time
}

// Configure applies the operator's settings. Call it before serving.
func (s *Server) Configure(o Options) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rate > 0 {
		burst := o.Burst
		if burst < 1 {
			burst = int(math.Ceil(o.Rate))
		}
		s.limiter = &rateLimiter{rate: o.Rate, burst: float64(burst), now: o.Now, buckets: map[string]*bucket{}}
	}
	s.corsOrigins = o.CORSOrigins
}

// rateLimiter is a token bucket per API token: each bucket refills at rate
// per second up to burst, and a request takes one from it.
type rateLimiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// take spends one request of the token, or says how long to wait.
func (l *rateLimiter) take(tokenID string) (ok bool, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	// Full buckets carry no state worth keeping; forgetting them now and
	// then keeps memory at the number of recently busy tokens.
	if now.Sub(l.sweep) > time.Minute {
		for id, b := range l.buckets {
			if l.level(b, now) >= l.burst {
				delete(l.buckets, id)
			}
		}
		l.sweep = now
	}
	b := l.buckets[tokenID]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[tokenID] = b
	}
	b.tokens, b.at = l.level(b, now), now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *rateLimiter) level(b *bucket, now time.Time) float64 {
	elapsed := now.Sub(b.at).Seconds()
	if elapsed < 0 {
		elapsed = 0
	}
	return math.Min(l.burst, b.tokens+elapsed*l.rate)
}

// limit refuses a request over its token's rate with 429 and Retry-After
// (whole seconds, rounded up).
func (s *Server) limit(w http.ResponseWriter, caller customer.Caller) error {
	if s.limiter == nil {
		return nil
	}
	ok, wait := s.limiter.take(caller.TokenID)
	if ok {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return customer.Errorf(customer.ETOOMANYREQUESTS, "The token made too many requests; retry after the time in Retry-After.")
}

// secure sets the headers every answer carries: nothing is sniffed, framed,
// cached or leaked in a Referer, and a page can load only from Kund itself.
func secure(h http.Header) {
	h["X-Content-Type-Options"] = headerNosniff
	h["X-Frame-Options"] = headerDeny
	h["Referrer-Policy"] = headerNoReferrer
	h["Content-Security-Policy"] = headerCSP
	h["Cross-Origin-Opener-Policy"] = headerSameOrigin
	if h.Get("Cache-Control") == "" {
		// Customer data is personal data: no shared or disk cache keeps it.
		h["Cache-Control"] = headerNoStore
	}
}

// Header values that every answer carries, set by assignment under their
// canonical names: Header.Set would canonicalise the name and allocate a
// slice per header and answer. The slices are shared by all answers and so
// never changed in place; nothing does (Set replaces a slice, and Add
// appends to a full one, which copies it).
var (
	headerNosniff    = []string{"nosniff"}
	headerDeny       = []string{"DENY"}
	headerNoReferrer = []string{"no-referrer"}
	headerCSP        = []string{"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}
	headerSameOrigin = []string{"same-origin"}
	headerNoStore    = []string{"no-store"}
	headerJSON       = []string{"application/json"}
	headerProblem    = []string{"application/problem+json"}
)

var (
	corsMethods = "GET, POST, PUT, PATCH, DELETE"
	corsHeaders = "Authorization, Content-Type, If-Match, Idempotency-Key, Request-Id"
	corsExpose  = "ETag, Location, Request-Id, Idempotent-Replayed, Retry-After"
)

// cors answers a preflight from a configured origin and marks the answers
// to it readable. Other origins get no CORS headers, so browsers keep them
// out. It reports whether the request was a preflight it answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if len(s.corsOrigins) == 0 {
		return false
	}
	w.Header().Add("Vary", "Origin")
	if origin == "" || !slices.Contains(s.corsOrigins, origin) {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Expose-Headers", corsExpose)
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	w.Header().Set("Access-Control-Allow-Methods", corsMethods)
	w.Header().Set("Access-Control-Allow-Headers", corsHeaders)
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// ParseOrigins splits a comma-separated list of origins.
func ParseOrigins(list string) []string {
	var out []string
	for _, o := range strings.Split(list, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, strings.TrimSuffix(o, "/"))
		}
	}
	return out
}
