// Package httpapi serves Kund's native API, the PayEx Ledger Customer API
// v1, and carries the middleware every route shares: request ids, one log
// line per request, panic recovery and the problem writer.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
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
	edge  *edge.Edge
	api   *edge.API

	corsOrigins []string
	ops         *opsState
	// wakeDeliveries tells the webhook deliverer a delivery is due; nil:
	// none runs.
	wakeDeliveries func()
}

// New returns a Server with the native API's routes, behind the request
// pipeline of internal/edge configured by o.
func New(svc *customer.Service, authn *auth.Authenticator, log *slog.Logger, o Options) *Server {
	s := &Server{svc: svc, authn: authn, log: log, mux: http.NewServeMux(), corsOrigins: o.CORSOrigins}
	s.edge = edge.New(s.Handle, edge.Config{Service: svc, Log: log, Limits: o.Limits, TrustProxy: o.TrustProxy, PublicURL: o.PublicURL, Now: o.Now})
	s.edge.Accept(edge.Token, authn.Bearer, nil)
	s.api = &edge.API{Name: "native", Actor: customer.ActorToken, Status: Status, WriteError: s.writeError, OtherLedger: customer.ENOTFOUND}
	s.routes()
	s.opsRoutes()
	s.referenceRoutes()
	return s
}

// Handle registers a handler outside the request pipeline (the sandbox
// card pages) on the same server, behind the same request ids, logs and
// recovery.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Edge is the request pipeline, on which the dialects mount their APIs.
func (s *Server) Edge() *edge.Edge { return s.edge }

func (s *Server) routes() {
	s.edge.Mount(s.api, s.nativeRoutes()...)
}

// NativePatterns are the patterns of the native API's routes ("GET
// /ledger/customer/v1/{ledgerNo}/customers/{customerNo}", ...), and of
// the routes outside the pipeline that the contract documents.
func (s *Server) NativePatterns() []string {
	var out []string
	for _, rt := range s.nativeRoutes() {
		out = append(out, rt.Pattern)
	}
	return append(out, "GET /healthz", "GET /readyz", "GET /openapi.json")
}

func (s *Server) nativeRoutes() []edge.Route {
	var rs []edge.Route
	add := func(pattern string, scope customer.Scope, h edge.Handler) {
		rs = append(rs, edge.Route{Pattern: pattern, Credential: edge.Token, Ledger: "ledgerNo", Scope: scope,
			Idempotent: strings.HasPrefix(pattern, "POST "), Handle: h})
	}
	lookup := func(pattern string, scope customer.Scope, h edge.Handler) {
		add(pattern, scope, h)
		rs[len(rs)-1].Lookup = true
	}
	// A write that completes its idempotency key in its own transaction
	// names how a retry is answered when the first answer was lost.
	replayed := func(replay edge.Replayer) { rs[len(rs)-1].Replay = replay }
	const c = Base + "{ledgerNo}/customers"
	const one = c + "/{customerNo}"
	add("POST "+c, customer.ScopeWrite, s.createCustomer)
	replayed(s.replayCreated)
	add("GET "+c, customer.ScopeRead, s.listCustomers)
	add("GET "+one, customer.ScopeRead, s.getCustomer)
	add("PATCH "+one, customer.ScopeWrite, s.patchCustomer)
	add("GET "+one+"/legal-address", customer.ScopeRead, s.getLegalAddress)
	add("PUT "+one+"/legal-address", customer.ScopeWrite, s.putLegalAddress)
	add("GET "+one+"/billing-address", customer.ScopeRead, s.getBillingAddress)
	add("POST "+one+"/billing-address", customer.ScopeWrite, s.addBillingAddress)
	replayed(s.replayAddedBilling)
	add("PUT "+one+"/billing-address", customer.ScopeWrite, s.putBillingAddress)
	add("DELETE "+one+"/billing-address", customer.ScopeWrite, s.deleteBillingAddress)
	lookup("POST "+Base+"{ledgerNo}/find-customer", customer.ScopeRead, s.findCustomer)
	add("GET "+one+"/surpluses", customer.ScopeRead, s.listSurpluses)
	add("POST "+one+"/surpluses", customer.ScopeSurpluses, s.createSurplus)
	add("GET "+one+"/surpluses/{surplusId}", customer.ScopeRead, s.getSurplus)
	add("DELETE "+one+"/surpluses/{surplusId}", customer.ScopeSurpluses, s.deleteSurplus)
	add("GET "+one+"/surpluses/{surplusId}/active-disbursement-orders", customer.ScopeRead, s.listDisbursementOrders)
	add("POST "+one+"/surpluses/{surplusId}/active-disbursement-orders", customer.ScopeDisbursements, s.addDisbursementOrder)
	add("GET "+Base+"{ledgerNo}/kyc-questions", customer.ScopeRead, s.getKYCQuestions)
	add("GET "+Base+"{ledgerNo}/Kyc-Questions", customer.ScopeRead, s.getKYCQuestions)
	add("POST "+one+"/update-kyc-answers", customer.ScopeKYC, s.updateKYCAnswers)
	add("GET "+one+"/consent", customer.ScopeRead, s.getConsent)
	add("GET "+one+"/consent/recurring-card", customer.ScopeRead, s.getCardConsent)
	add("DELETE "+one+"/consent/recurring-card", customer.ScopeConsents, s.deleteCardConsent)
	add("POST "+one+"/consent/recurring-card-redirect-registration", customer.ScopeConsents, s.startCardRegistration)
	add("GET "+one+"/consent/recurring-card-redirect-registration", customer.ScopeRead, s.getCardRegistration)
	add("PUT "+one+"/consent/active-consents/{name}", customer.ScopeConsents, s.putActiveConsent)
	add("DELETE "+one+"/consent/active-consents/{name}", customer.ScopeConsents, s.deleteActiveConsent)
	add("GET "+one+"/products", customer.ScopeRead, s.getProducts)
	add("PUT "+one+"/products", customer.ScopeWrite, s.putProducts)
	add("GET "+Base+"{ledgerNo}/events", customer.ScopeEvents, s.listEvents)
	add("GET "+one+"/history", customer.ScopeRead, s.customerHistory)
	add("POST "+one+"/erase", customer.ScopeErase, s.eraseCustomer)
	add("GET "+one+"/export", customer.ScopeRead, s.exportCustomer)
	s.webhookRoutes(add)
	s.registerRoutes(add, lookup, replayed)
	return rs
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

// newRequestID returns a random (version 4) UUID. On kernels with
// getrandom in the vDSO (Linux 6.11 on) reading crypto/rand is no system
// call, so no pool of bytes is kept.
func newRequestID() string { return uuid.NewString() }

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
// a superfluous WriteHeader call. edge.StatusClientClosedRequest, written when
// the client went away, is recorded and never sent; nothing is written
// after it.
type statusWriter struct {
	http.ResponseWriter
	status int
	gone   bool
}

func (w *statusWriter) WriteHeader(code int) {
	if code == edge.StatusClientClosedRequest {
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
