// Package edge is the one request pipeline every API of Kund goes through,
// the native one and each dialect alike. An API declares its routes with
// what each needs: the kind of credential, the path value that names the
// ledger, the scope, whether it is a lookup (who is this?) and whether it
// honours an idempotency key. For every request the edge authenticates
// the credential of that kind, binds the ledger, rate-limits, checks the
// scope, charges the lookup limits, claims the idempotency key, runs the
// handler, and writes any error through the API's one table.
package edge

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
	"golang.org/x/time/rate"
)

// Kind is a kind of credential. Each is valid only on the routes that
// declare it: a Payway access token is no native token, a Worldline client
// session opens only the client API.
type Kind string

// The kinds of credential.
const (
	Public           Kind = ""                  // none: the route authenticates nobody, or itself
	Token            Kind = auth.KindToken      // a native bearer token
	PaywayToken      Kind = auth.KindPayway     // an access token of Tulo Payway's token endpoint
	WorldlineKey     Kind = "worldline-key"     // GCS v1HMAC, a merchant's server
	WorldlineSession Kind = "worldline-session" // GCS v1Client, held by a visitor's browser
)

// browser reports whether a kind of credential is held by browsers, which
// anyone can drive: their lookups are also limited per client address.
func (k Kind) browser() bool { return k == WorldlineSession }

// Call is what the pipeline hands a handler: who calls, and the
// idempotency key the request holds, which its write completes
// (customer.Completing); nil without one.
type Call struct {
	customer.Caller
	Key *customer.IdempotencyKey
}

// Handler serves one route for an authenticated caller and returns the
// error to answer, if any.
type Handler func(w http.ResponseWriter, r *http.Request, call Call) error

// Replayer answers a retry of a write from what the write wrote, when the
// first answer was lost.
type Replayer func(w http.ResponseWriter, r *http.Request, call Call, written customer.Written) error

// Authenticator turns the credential of a request into its caller. A
// credential that is missing, malformed or wrong is EUNAUTHORIZED.
type Authenticator func(r *http.Request) (customer.Caller, error)

// Quota is a lookup quota that a kind of credential carries with it (a
// Worldline client session's): Spend takes units of caller's quota, with
// within only while it lasts (false when it is used up).
type Quota interface {
	Spend(r *http.Request, caller customer.Caller, units int, within bool) (bool, error)
}

// API is one API served through the edge.
type API struct {
	Name string
	// Status is the API's one table read as HTTP statuses: the status it
	// answers a domain error code with.
	Status func(code string) int
	// WriteError writes err in the API's own format, through its table.
	WriteError func(w http.ResponseWriter, r *http.Request, err error)
	// OtherLedger is the code of the answer to a credential of another
	// ledger than the one the path names.
	OtherLedger string
	// IdempotencyHeader is the API's own name for Idempotency-Key, if it
	// has one (Worldline's X-GCS-Idempotence-Key), honoured alike.
	IdempotencyHeader string
	// Actor is the actor type the journal records for the API's writes
	// (customer.ActorToken, ...); the actor's id is the credential's.
	Actor string
}

// Route is one route of an API and what it needs.
type Route struct {
	Pattern    string // a ServeMux pattern with its method
	Credential Kind
	// Ledger is the path value that names the ledger, which must be the
	// credential's; empty when the credential alone names it.
	Ledger string
	Scope  customer.Scope // "" when the credential kind has no scopes
	// Lookup marks a route that answers who someone is: the lookup limits
	// apply, and a miss costs more than a hit.
	Lookup bool
	// Idempotent routes are POSTs that honour Idempotency-Key.
	Idempotent bool
	// Replay answers a retry from what the route's write wrote under the
	// key, when its answer was lost; nil for routes that write nothing
	// under the key.
	Replay Replayer
	// Header is set on every answer of the route, errors included (the
	// CORS headers of a browser API).
	Header http.Header
	Handle Handler
}

// Config is what the edge needs besides the APIs.
type Config struct {
	Service *customer.Service // idempotency keys
	Log     *slog.Logger
	Limits  Limits
	// TrustProxy takes the client's address from X-Forwarded-For, which a
	// proxy in front of Kund sets; without it the header is ignored.
	TrustProxy bool
	// PublicURL is where clients reach Kund (BaseURL).
	PublicURL string
	Now       func() time.Time // the limiters' clock; nil is time.Now
}

// Edge is the pipeline, registering its routes on a mux.
type Edge struct {
	handle func(pattern string, h http.Handler)
	cfg    Config
	auth   map[Kind]Authenticator
	quotas map[Kind]Quota
	apis   []*API

	requests, failures, lookups, ledgers, addresses *buckets
}

// New returns an edge that registers routes with handle.
func New(handle func(pattern string, h http.Handler), cfg Config) *Edge {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := cfg.Limits
	return &Edge{
		handle: handle, cfg: cfg, auth: map[Kind]Authenticator{}, quotas: map[Kind]Quota{},
		requests: newBuckets(l.Requests), failures: newBuckets(l.Failures), lookups: newBuckets(l.Lookups),
		ledgers: newBuckets(l.LedgerLookups), addresses: newBuckets(l.AddressLookups),
	}
}

// Accept makes the edge authenticate credentials of kind with a, and
// charge their lookups to q as well when q is not nil.
func (e *Edge) Accept(kind Kind, a Authenticator, q Quota) {
	e.auth[kind] = a
	if q != nil {
		e.quotas[kind] = q
	}
}

// APIs are the APIs mounted so far.
func (e *Edge) APIs() []*API { return e.apis }

// Mount serves the routes of api.
func (e *Edge) Mount(api *API, routes ...Route) {
	e.apis = append(e.apis, api)
	for _, rt := range routes {
		if rt.Credential != Public && e.auth[rt.Credential] == nil {
			panic("edge: route " + rt.Pattern + " takes credentials of kind " + string(rt.Credential) + ", which nothing authenticates")
		}
		e.handle(rt.Pattern, &route{e: e, api: api, Route: rt})
	}
}

type route struct {
	e   *Edge
	api *API
	Route
}

func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every read of the request sees the data as of one check of the
	// store's read cache.
	r = r.WithContext(customer.WithReadScope(r.Context()))
	for k, v := range rt.Header {
		w.Header()[k] = v
	}
	if err := rt.serve(w, r); err != nil {
		rt.fail(w, r, err)
	}
}

func (rt *route) serve(w http.ResponseWriter, r *http.Request) error {
	e := rt.e
	now := e.cfg.Now()
	var addr string // the client's address, read when a limit needs it
	clientAddress := func() string {
		if addr == "" {
			addr = clientAddr(r, e.cfg.TrustProxy)
		}
		return addr
	}
	if e.failures.limit.on() {
		if empty, wait := e.failures.empty(clientAddress(), now); empty {
			return TooMany(w, wait, "Too many failed authentications from this address; retry after the time in Retry-After.")
		}
	}
	caller, err := rt.authenticate(r)
	if err != nil {
		return err
	}
	// A route without a credential spends its client address's requests.
	who := caller.TokenID
	if who == "" && (e.requests.limit.on() || caller.Rate > 0) {
		who = "address " + clientAddress()
	}
	if ok, wait := e.requests.take(who, caller.Rate, 1, now); !ok {
		return TooMany(w, wait, "The credential made too many requests; retry after the time in Retry-After.")
	}
	if rt.Ledger != "" && r.PathValue(rt.Ledger) != caller.LedgerNo {
		// Never tell a credential of ledger A anything about ledger B.
		return customer.Errorf(rt.api.OtherLedger, "The credential does not belong to this ledger.")
	}
	if rt.Scope != "" && !caller.Can(rt.Scope) {
		return customer.Errorf(customer.EFORBIDDEN, "The credential lacks the scope %q.", rt.Scope)
	}
	if rt.Lookup {
		if rt.Credential.browser() {
			clientAddress()
		}
		if err := rt.startLookup(w, r, caller, addr, now); err != nil {
			return err
		}
	}
	// The request's writes journal who made them and the request's id.
	r = r.WithContext(customer.WithJournal(r.Context(), customer.Journal{
		Actor:     customer.Actor{Type: rt.api.Actor, ID: caller.TokenID},
		RequestID: w.Header().Get("Request-Id"),
	}))
	var outcome error
	run := func(w http.ResponseWriter, r *http.Request, call Call) {
		if outcome = rt.Handle(w, r, call); outcome != nil {
			rt.fail(w, r, outcome)
		}
	}
	if rt.Idempotent {
		err = rt.idempotent(w, r, Call{Caller: caller}, run)
	} else {
		run(w, r, Call{Caller: caller})
	}
	if rt.Lookup && miss(outcome) {
		rt.chargeMiss(r, caller, addr)
	}
	return err
}

// authenticate reads the credential of the route's kind. Every failure
// costs the client address one of its failed authentications.
func (rt *route) authenticate(r *http.Request) (customer.Caller, error) {
	if rt.Credential == Public {
		return customer.Caller{}, nil
	}
	caller, err := rt.e.auth[rt.Credential](r)
	if err == nil && caller.Kind != string(rt.Credential) {
		// A credential of another kind that the same scheme carries (a
		// Payway access token sent to the native API).
		err = customer.Errorf(customer.EUNAUTHORIZED, "This credential is not valid on this API.")
	}
	if customer.ErrorCode(err) == customer.EUNAUTHORIZED {
		rt.e.failed(r)
	}
	return caller, err
}

// failed counts a failed authentication of the request's client address.
func (e *Edge) failed(r *http.Request) {
	if e.failures.limit.on() {
		e.failures.owe(clientAddr(r, e.cfg.TrustProxy), 1, e.cfg.Now())
	}
}

// startLookup charges one unit of every lookup limit that applies, or
// refuses the lookup, spending nothing, when one has no unit left.
func (rt *route) startLookup(w http.ResponseWriter, r *http.Request, caller customer.Caller, addr string, now time.Time) error {
	e := rt.e
	type limit struct {
		b        *buckets
		key, msg string
	}
	limits := []limit{
		{e.lookups, caller.TokenID, "The credential made too many lookups; retry after the time in Retry-After."},
		{e.ledgers, caller.LedgerNo, "The ledger's lookups are over their limit; retry after the time in Retry-After."},
	}
	if rt.Credential.browser() {
		limits = append(limits, limit{e.addresses, addr, "Too many lookups from this address; retry after the time in Retry-After."})
	}
	var spent []*rate.Reservation
	giveBack := func() {
		for _, s := range spent {
			s.CancelAt(now)
		}
	}
	for _, l := range limits {
		res, ok, wait := l.b.reserve(l.key, 0, 1, now)
		if !ok {
			giveBack()
			return TooMany(w, wait, l.msg)
		}
		if res != nil {
			spent = append(spent, res)
		}
	}
	if q := e.quotas[rt.Credential]; q != nil {
		ok, err := q.Spend(r, caller, 1, true)
		if err != nil || !ok {
			giveBack()
		}
		if err != nil {
			return err
		}
		if !ok {
			// A quota does not refill: the merchant starts a new session.
			return customer.Errorf(customer.ETOOMANYREQUESTS, "The session has used up its lookups; start a new session.")
		}
	}
	return nil
}

// chargeMiss charges the rest of a miss's cost, as a debt where a limit
// has too little left.
func (rt *route) chargeMiss(r *http.Request, caller customer.Caller, addr string) {
	e, now, extra := rt.e, rt.e.cfg.Now(), customer.LookupMissCost-1
	e.lookups.owe(caller.TokenID, extra, now)
	e.ledgers.owe(caller.LedgerNo, extra, now)
	if rt.Credential.browser() {
		e.addresses.owe(addr, extra, now)
	}
	if q := e.quotas[rt.Credential]; q != nil {
		if _, err := q.Spend(r, caller, extra, false); err != nil {
			e.cfg.Log.WarnContext(r.Context(), "lookup quota not charged", slog.String("error", customer.ErrorCode(err)))
		}
	}
}

// miss reports whether a lookup's outcome found nobody: not found,
// several, or refused (a Riverty lookup that would create a customer but
// names no number says as much as a miss).
func miss(err error) bool {
	switch customer.ErrorCode(err) {
	case customer.ECUSTOMERNOTFOUND, customer.ECUSTOMERERASED, customer.EPERSONNOTFOUND, customer.EAMBIGUOUS, customer.ENOTFOUND, customer.EVALIDATION:
		return true
	}
	return false
}

// TooMany is the 429 of a limit, with Retry-After in whole seconds.
func TooMany(w http.ResponseWriter, wait time.Duration, msg string) error {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	return customer.Errorf(customer.ETOOMANYREQUESTS, "%s", msg)
}

// StatusClientClosedRequest (nginx's 499 "client closed request") is the
// status the request log and the metrics record for a request whose client
// went away before its answer. It never reaches the wire: the server ends
// the connection instead.
const StatusClientClosedRequest = 499

// ClientGone reports whether err, met while answering r, comes too late for
// anyone: r's client went away (its connection closed or was reset, which
// cancels r's context). That is not a server error: an error writer that
// gets true writes w.WriteHeader(StatusClientClosedRequest) and nothing
// else, and the server logs "client went away" once, records 499 and
// closes the connection without an answer.
func ClientGone(r *http.Request, err error) bool {
	return err != nil && errors.Is(r.Context().Err(), context.Canceled)
}

// fail writes err through the API's table, unless the client is gone.
func (rt *route) fail(w http.ResponseWriter, r *http.Request, err error) {
	if ClientGone(r, err) {
		w.WriteHeader(StatusClientClosedRequest)
		return
	}
	if customer.ErrorCode(err) == customer.EUNAUTHORIZED && rt.Credential == Public {
		// A route that authenticates itself (a token endpoint) failed to.
		rt.e.failed(r)
	}
	rt.api.WriteError(w, r, err)
}

// BaseURL is where clients reach Kund, for the URLs an answer hands out
// (a Worldline session's clientApiUrl, a card page): the configured public
// URL, or else the address the request came in on. Never a request
// header: Host and X-Forwarded-* are the client's to choose.
func (e *Edge) BaseURL(r *http.Request) string {
	if e.cfg.PublicURL != "" {
		return strings.TrimSuffix(e.cfg.PublicURL, "/")
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return "http://" + a.String()
	}
	return "http://localhost"
}

// Table is an API's one table from domain error code to its wire error.
// It must hold customer.EINTERNAL, which answers a code it lacks.
type Table[E interface{ HTTPStatus() int }] map[string]E

// Status is the HTTP status the table answers code with.
func (t Table[E]) Status(code string) int {
	_, e := t.lookup(code)
	return e.HTTPStatus()
}

// Find returns the code of err and its wire error; a code the table lacks
// (anything that is not a domain error) is customer.EINTERNAL.
func (t Table[E]) Find(err error) (string, E) { return t.lookup(customer.ErrorCode(err)) }

func (t Table[E]) lookup(code string) (string, E) {
	if e, ok := t[code]; ok {
		return code, e
	}
	return customer.EINTERNAL, t[customer.EINTERNAL]
}
