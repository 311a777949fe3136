package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kund/kund/internal/edge"
)

// Options are the operator's settings of the HTTP front.
type Options struct {
	// Limits are the rate limits of every API (internal/edge).
	Limits edge.Limits
	// TrustProxy takes the client's address from X-Forwarded-For.
	TrustProxy bool
	// PublicURL is where clients reach Kund (edge.Edge.BaseURL).
	PublicURL string
	// CORSOrigins are the browser origins allowed to call the native API
	// ("https://app.example.com"); none means no CORS headers at all.
	CORSOrigins []string
	// Now is the limiters' clock; nil is time.Now.
	Now func() time.Time
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
