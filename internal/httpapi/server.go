// Package httpapi serves Kund's native API, the PayEx Ledger Customer API
// v1, and carries the middleware every route shares: request ids, one log
// line per request, panic recovery and the problem writer.
package httpapi

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

// Base is the path of the native API; a ledger number follows.
const Base = "/ledger/customer/v1/"

// Server is the HTTP front of Kund.
type Server struct {
	svc   *customer.Service
	authn *auth.Authenticator
	log   *slog.Logger
	mux   *http.ServeMux
	reg   *register.Service

	limiter     *rateLimiter // nil: no rate limit
	corsOrigins []string
	ops         *opsState
}

// New returns a Server with the native API's routes.
func New(svc *customer.Service, authn *auth.Authenticator, log *slog.Logger) *Server {
	s := &Server{svc: svc, authn: authn, log: log, mux: http.NewServeMux()}
	s.routes()
	s.opsRoutes()
	return s
}

// Handle registers a handler of another API (a compatibility dialect) on
// the same server, behind the same request ids, logs and recovery.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

func (s *Server) routes() {
	const c = Base + "{ledgerNo}/customers"
	const one = c + "/{customerNo}"
	s.route("POST "+c, customer.ScopeWrite, s.createCustomer)
	s.route("GET "+c, customer.ScopeRead, s.listCustomers)
	s.route("GET "+one, customer.ScopeRead, s.getCustomer)
	s.route("PATCH "+one, customer.ScopeWrite, s.patchCustomer)
	s.route("GET "+one+"/legal-address", customer.ScopeRead, s.getLegalAddress)
	s.route("PUT "+one+"/legal-address", customer.ScopeWrite, s.putLegalAddress)
	s.route("GET "+one+"/billing-address", customer.ScopeRead, s.getBillingAddress)
	s.route("POST "+one+"/billing-address", customer.ScopeWrite, s.addBillingAddress)
	s.route("PUT "+one+"/billing-address", customer.ScopeWrite, s.putBillingAddress)
	s.route("DELETE "+one+"/billing-address", customer.ScopeWrite, s.deleteBillingAddress)
	s.route("POST "+Base+"{ledgerNo}/find-customer", customer.ScopeRead, s.findCustomer)
	s.route("GET "+one+"/surpluses", customer.ScopeRead, s.listSurpluses)
	s.route("POST "+one+"/surpluses", customer.ScopeSurpluses, s.createSurplus)
	s.route("GET "+one+"/surpluses/{surplusId}", customer.ScopeRead, s.getSurplus)
	s.route("DELETE "+one+"/surpluses/{surplusId}", customer.ScopeSurpluses, s.deleteSurplus)
	s.route("GET "+one+"/surpluses/{surplusId}/active-disbursement-orders", customer.ScopeRead, s.listDisbursementOrders)
	s.route("POST "+one+"/surpluses/{surplusId}/active-disbursement-orders", customer.ScopeDisbursements, s.addDisbursementOrder)
	s.route("GET "+Base+"{ledgerNo}/kyc-questions", customer.ScopeRead, s.getKYCQuestions)
	s.route("GET "+Base+"{ledgerNo}/Kyc-Questions", customer.ScopeRead, s.getKYCQuestions)
	s.route("POST "+one+"/update-kyc-answers", customer.ScopeKYC, s.updateKYCAnswers)
	s.route("GET "+one+"/consent", customer.ScopeRead, s.getConsent)
	s.route("GET "+one+"/consent/recurring-card", customer.ScopeRead, s.getCardConsent)
	s.route("DELETE "+one+"/consent/recurring-card", customer.ScopeConsents, s.deleteCardConsent)
	s.route("POST "+one+"/consent/recurring-card-redirect-registration", customer.ScopeConsents, s.startCardRegistration)
	s.route("GET "+one+"/consent/recurring-card-redirect-registration", customer.ScopeRead, s.getCardRegistration)
	s.route("PUT "+one+"/consent/active-consents/{name}", customer.ScopeConsents, s.putActiveConsent)
	s.route("DELETE "+one+"/consent/active-consents/{name}", customer.ScopeConsents, s.deleteActiveConsent)
	s.route("GET "+one+"/products", customer.ScopeRead, s.getProducts)
	s.route("PUT "+one+"/products", customer.ScopeWrite, s.putProducts)
	s.registerRoutes()
}

// handlerFunc is a native handler: it gets the authenticated caller and
// returns an error to be written as a problem.
type handlerFunc func(w http.ResponseWriter, r *http.Request, caller customer.Caller) error

// route registers a native handler behind authentication, the ledger
// binding of the token, and a scope check.
func (s *Server) route(pattern string, scope customer.Scope, h handlerFunc) {
	idempotent := s.idempotent(h)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		// The token and the ledger are read as of one check of the
		// store's read cache.
		r = r.WithContext(customer.WithReadScope(r.Context()))
		caller, err := s.authenticate(r)
		if err == nil {
			err = s.limit(w, caller)
		}
		if err == nil && caller.LedgerNo != r.PathValue("ledgerNo") {
			// Never tell a token of ledger A anything about ledger B.
			err = customer.Errorf(customer.ENOTFOUND, "The resource was not found.")
		}
		if err == nil && !caller.Can(scope) {
			err = customer.Errorf(customer.EFORBIDDEN, "The token lacks the scope %q.", scope)
		}
		if err == nil && r.Method == http.MethodPost {
			err = idempotent(w, r, caller)
		} else if err == nil {
			err = h(w, r, caller)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (customer.Caller, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return customer.Caller{}, customer.Errorf(customer.EUNAUTHORIZED, "A bearer token is required.")
	}
	return s.authn.Authenticate(r.Context(), strings.TrimSpace(token))
}

// ServeHTTP gives every request an id, logs one line for it, turns panics
// into a problem, and answers unknown routes with problems too. A method
// Kund serves nowhere is refused before anything else looks at it, and is
// recorded only as OTHER: a method is any token a client makes up.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("Request-Id")
	if !validRequestID(id) {
		id = newRequestID()
	}
	w.Header()["Request-Id"] = []string{id}
	secure(w.Header())
	rw := &statusWriter{ResponseWriter: w}
	method := methodLabel(r.Method)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", slog.String("request_id", id), slog.String("route", r.Pattern),
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			if rw.status == 0 {
				s.writeError(rw, r, customer.Errorf(customer.EINTERNAL, "An unexpected error occurred."))
			}
		}
		now := time.Now()
		route := routeOf(r)
		s.ops.metrics.observe(route, method, rw.code(), now.Sub(start))
		if rw.gone {
			s.log.InfoContext(r.Context(), "client went away", slog.String("request_id", id), slog.String("route", route))
		}
		s.logRequest(r, method, route, rw.code(), id, now, now.Sub(start))
		if rw.gone {
			// Ends the connection without the answer net/http would
			// otherwise complete on its own.
			panic(http.ErrAbortHandler)
		}
	}()
	if method == methodOther {
		s.writeError(rw, r, customer.Errorf(customer.EMETHODNOTALLOWED, "The method is not implemented by this server."))
		return
	}
	if s.cors(rw, r) {
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unrouted(rw, r)
		return
	}
	s.mux.ServeHTTP(rw, r)
}

// logRequest logs the one line of a request. It hands the record to the
// logger's handler itself: Logger.LogAttrs would also walk the stack for
// the caller's source position on every request, which no handler of Kund
// shows.
func (s *Server) logRequest(r *http.Request, method, route string, status int, id string, now time.Time, d time.Duration) {
	h := s.log.Handler()
	if !h.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(now, slog.LevelInfo, "request", 0)
	rec.AddAttrs(
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("request_id", id))
	h.Handle(r.Context(), rec)
}

// unrouted answers a request no route matches: 405 when the path exists
// with other methods, else 404.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	h, _ := s.mux.Handler(r)
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		s.writeError(w, r, customer.Errorf(customer.EMETHODNOTALLOWED, "The method %s is not allowed here.", r.Method))
		return
	}
	s.writeError(w, r, customer.Errorf(customer.ENOTFOUND, "The resource was not found."))
}

// routeOf is the route label of a request: the pattern the mux matched,
// or "unrouted". The mux sets r.Pattern to a registered pattern, also for
// the redirects it makes itself, except for a CONNECT, where it is a path;
// CONNECT is no method of Kund and never reaches the mux.
func routeOf(r *http.Request) string {
	if r.Pattern == "" {
		return "unrouted"
	}
	return r.Pattern
}

// newRequestID returns a random (version 4) UUID. Its bytes come from
// crypto/rand in blocks of 64 ids: before Linux 6.11 (no getrandom in the
// vDSO) every read of crypto/rand is a system call, and an id needs no
// fresh one. The block is the service's own, unlike uuid.EnableRandPool,
// which would also pool the bytes of the card tokens made elsewhere.
func newRequestID() string {
	var u uuid.UUID
	idBytes.mu.Lock()
	if idBytes.left == 0 {
		rand.Read(idBytes.block[:]) // never fails (crypto/rand crashes the program instead)
		idBytes.left = len(idBytes.block)
	}
	idBytes.left -= copy(u[:], idBytes.block[len(idBytes.block)-idBytes.left:])
	idBytes.mu.Unlock()
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

var idBytes struct {
	mu    sync.Mutex
	block [64 * 16]byte
	left  int // the last left bytes of block are unused
}

// requestID is the id of the request that w answers. It travels in the
// answer's Request-Id header, which ServeHTTP sets before any handler runs
// and which the idempotency recorder copies, rather than in a new context:
// that would copy the whole request for every request.
func requestID(w http.ResponseWriter) string {
	if v := w.Header()["Request-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// A client's Request-Id is kept only when it is a UUID, so that nothing a
// client chooses (an identity number, say) can reach the logs.
var requestIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func validRequestID(id string) bool { return len(id) == 36 && requestIDPattern.MatchString(id) }

// statusWriter records the status of an answer for the log and the
// metrics. It passes on only the first WriteHeader: an error met after the
// answer began (writing the body failed) would otherwise make net/http log
// a superfluous WriteHeader call. StatusClientClosedRequest, written when
// the client went away, is recorded and never sent; nothing is written
// after it.
type statusWriter struct {
	http.ResponseWriter
	status int
	gone   bool
}

func (w *statusWriter) WriteHeader(code int) {
	if code == StatusClientClosedRequest {
		w.status, w.gone = code, true
		return
	}
	if w.status != 0 {
		return
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.gone {
		return 0, errClientGone
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

var errClientGone = errors.New("httpapi: the client went away")

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.status = code }
