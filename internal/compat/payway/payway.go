// Package payway answers Tulo Payway's account candidate lookup and its
// client-credentials token endpoint, from Kund's customers: wire mapping
// only.
package payway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/compat"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/register"
)

// ScopeAccountRead is the Payway scope of the candidate lookup. A token
// issued for it carries Kund's customers:read.
const ScopeAccountRead = "/external/account/r"

// Scopes lists the Payway scopes a client can be given.
var Scopes = []string{ScopeAccountRead}

// TokenTTL is how long an access token lives.
const TokenTTL = time.Hour

// Store is what the dialect keeps.
type Store interface {
	auth.CompatStore
	auth.Store
}

// MintLimit is how many access tokens one client may get: a client needs
// one an hour, a few more when it restarts; each one minted is a row kept
// until it expires.
var MintLimit = edge.Limit{Rate: 1.0 / 6, Burst: 10}

// Handler serves the dialect.
type Handler struct {
	svc   *customer.Service
	store Store
	reg   *register.Service
	log   *slog.Logger
	mint  *edge.Buckets
}

// Mount serves the dialect on the request pipeline. Its access tokens are
// a kind of credential of their own, valid only on its candidate lookup.
func Mount(e *edge.Edge, svc *customer.Service, authn *auth.Authenticator, store Store, reg *register.Service, log *slog.Logger) {
	h := &Handler{svc: svc, store: store, reg: reg, log: log, mint: edge.NewBuckets(MintLimit)}
	e.Accept(edge.PaywayToken, authn.Bearer, nil)
	api := &edge.API{Name: "payway", Actor: customer.ActorPayway, Status: errorTable.Status, WriteError: h.fail, OtherLedger: customer.EFORBIDDEN}
	e.Mount(api,
		// The token endpoint authenticates its client itself, from the
		// form; its failures count against the client's address.
		edge.Route{Pattern: "POST /api/authorization/access_token", Handle: h.accessToken},
		edge.Route{Pattern: "GET /external/api/v1/accounts/candidate", Credential: edge.PaywayToken, Scope: customer.ScopeRead,
			Lookup: true, Handle: h.candidate},
	)
}

// CreateClient makes a Payway client of a ledger and returns its id and
// secret; the secret is shown once and only its hash is kept.
func CreateClient(ctx context.Context, svc *customer.Service, store auth.CompatStore, ledgerNo string, scopes []string) (id, secret string, err error) {
	if _, err := svc.Ledger(ctx, ledgerNo); err != nil {
		return "", "", err
	}
	if len(scopes) == 0 {
		return "", "", customer.ValidationError("scope", "at least one scope is required")
	}
	for _, s := range scopes {
		if !slices.Contains(Scopes, s) {
			return "", "", customer.ValidationError("scope", "must be one of "+strings.Join(Scopes, ", "))
		}
	}
	secret, c := auth.NewPaywayClient(ledgerNo, scopes, svc.Now())
	if err := store.CreatePaywayClient(ctx, c); err != nil {
		return "", "", err
	}
	return c.ID, secret, nil
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func (e *apiError) Unwrap() error { return e.cause }

func (e apiError) HTTPStatus() int { return e.status }

func fieldError(status int, code, field, message string) *apiError {
	f := field
	return &apiError{status: status, Code: code, Field: &f, Message: message}
}

func plainError(status int, code, message string) *apiError {
	return &apiError{status: status, Code: code, Message: message}
}

// accessToken is the dialect's only POST. It takes no Idempotency-Key:
// replaying its answer would mean keeping a live bearer token in plaintext
// for a day, while Kund keeps only token hashes. A retry is harmless
// without one: it gets a fresh token, and each expires within TokenTTL.
func (h *Handler) accessToken(w http.ResponseWriter, r *http.Request, _ edge.Call) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return plainError(http.StatusBadRequest, "invalid_parameter", "The body must be application/x-www-form-urlencoded.")
	}
	f := r.PostForm
	for _, name := range []string{"client_id", "client_secret", "grant_type", "scope"} {
		if strings.TrimSpace(f.Get(name)) == "" {
			return fieldError(http.StatusBadRequest, "invalid_parameter", name, "Parameter is required")
		}
	}
	for name := range f {
		if !slices.Contains([]string{"client_id", "client_secret", "grant_type", "scope"}, name) {
			return fieldError(http.StatusBadRequest, "unknown_parameter", name, "Parameter is not recognized")
		}
	}
	if f.Get("grant_type") != "none" {
		return fieldError(http.StatusBadRequest, "invalid_parameter", "grant_type", `Parameter must be "none"`)
	}
	c, err := h.store.PaywayClient(r.Context(), f.Get("client_id"))
	if customer.ErrorCode(err) == customer.ENOTFOUND || (err == nil && !c.CheckSecret(f.Get("client_secret"))) {
		e := plainError(http.StatusUnauthorized, "invalid_client", "The client id or secret is wrong.")
		e.cause = customer.Errorf(customer.EUNAUTHORIZED, "%s", e.Message)
		return e
	} else if err != nil {
		return err
	}
	// A client may ask for several scopes at once: it gets those it holds
	// and is told which (OAuth 2.0, RFC 6749 section 3.3).
	var granted []string
	for _, s := range strings.Fields(f.Get("scope")) {
		if slices.Contains(c.Scopes, s) && !slices.Contains(granted, s) {
			granted = append(granted, s)
		}
	}
	if len(granted) == 0 {
		return fieldError(http.StatusForbidden, "invalid_scope", "scope", "The client may not request this scope.")
	}
	now := h.svc.Now()
	if ok, wait := h.mint.Take(c.ID, now); !ok {
		return edge.TooMany(w, wait, "The client asked for too many access tokens; use the one it has until it expires.")
	}
	plain, t := auth.New(c.LedgerNo, []customer.Scope{customer.ScopeRead}, now, TokenTTL)
	t.Kind = auth.KindPayway
	if err := h.store.CreateToken(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	write(w, http.StatusOK, tokenResponse{AccessToken: plain, TokenType: "bearer", ExpiresIn: int(TokenTTL / time.Second), Scope: strings.Join(granted, " ")})
	return nil
}

// The seed's formats.
var (
	ssnFormat  = regexp.MustCompile(`^[0-9]{6}-[0-9]{4}$`)
	nameFormat = regexp.MustCompile(`^[a-zA-Z-_0-9]+$`)
)

func (h *Handler) candidate(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	c, err := h.lookup(r, caller.Caller)
	if err != nil {
		return err
	}
	ps, err := h.svc.Products(r.Context(), c.LedgerNo, c.No)
	if err != nil {
		return err
	}
	write(w, http.StatusOK, candidateRep{Item: represent(c, ps)})
	return nil
}

// lookup validates the query exactly as the seed does and finds the one
// customer it names.
func (h *Handler) lookup(r *http.Request, caller customer.Caller) (*customer.Customer, error) {
	q := r.URL.Query()
	for name := range q {
		if name != "social_security_number" && name != "customer_number" && name != "zip_code" {
			return nil, fieldError(http.StatusBadRequest, "unknown_parameter", name, "Parameter is not recognized")
		}
	}
	ssn, no, zip := q.Get("social_security_number"), q.Get("customer_number"), q.Get("zip_code")
	if q.Has("social_security_number") && !ssnFormat.MatchString(ssn) {
		return nil, fieldError(http.StatusBadRequest, "invalid_parameter", "social_security_number", "Parameter must match format (/^[0-9]{6}-[0-9]{4}$/)")
	}
	if q.Has("customer_number") {
		if len(no) > 10 {
			return nil, fieldError(http.StatusBadRequest, "invalid_parameter", "customer_number", "Parameter must be at most 10 characters")
		} else if !nameFormat.MatchString(no) {
			return nil, fieldError(http.StatusBadRequest, "invalid_parameter", "customer_number", "Parameter must match format (/^[a-zA-Z-_0-9]+$/)")
		}
	}
	if q.Has("zip_code") {
		if len(zip) > 5 {
			return nil, fieldError(http.StatusBadRequest, "invalid_parameter", "zip_code", "Parameter must be at most 5 characters")
		} else if !nameFormat.MatchString(zip) {
			return nil, fieldError(http.StatusBadRequest, "invalid_parameter", "zip_code", "Parameter must match format (/^[a-zA-Z-_0-9]+$/)")
		}
	}
	if ssn == "" && no == "" {
		return nil, fieldError(http.StatusBadRequest, "invalid_parameter", "social_security_number", "Parameter must be supplied unless customer_number is provided")
	}
	question := register.Question{Purpose: Purpose, CustomerNo: no, ZipCode: zip}
	if ssn != "" {
		l, err := h.svc.Ledger(r.Context(), caller.LedgerNo)
		if err != nil {
			return nil, err
		}
		// The seed's 10-digit form is read as the ledger's country reads
		// it (Swedish YYMMDD-NNNN or Danish DDMMYY-SSSS), so Kund finds the
		// customer under its canonical number.
		regNo, err := nordic.ParsePersonalNumber(l.Country, ssn, h.svc.Now())
		if err != nil {
			return nil, customer.Errorf(customer.ECUSTOMERNOTFOUND, "The account could not be found")
		}
		question.Country, question.RegNo = l.Country, regNo
	}
	a, err := h.reg.Identify(r.Context(), h.svc, caller, question)
	if err != nil {
		return nil, err
	}
	return a.Customer, nil
}

func represent(c *customer.Customer, ps []customer.Product) item {
	it := item{AccountCandidateID: c.UUID, Email: c.Email, CustomerNumber: c.No, ZipCode: c.LegalAddress.ZipCode, Products: []product{}}
	if c.LegalEntity == customer.Business {
		it.LastName = c.Name
	} else {
		it.FirstName, it.LastName = compat.SplitName(c.Name)
	}
	it.MobilePhoneNumber = compat.NationalPhone(c.MSISDN)
	if c.NationalID != nil {
		it.SocialSecurityNumber = tenDigits(c.NationalID)
	}
	for _, p := range ps {
		it.Products = append(it.Products, product{ProductCode: p.Code, ValidTo: p.ValidTo.Format(time.RFC3339)})
	}
	return it
}

// tenDigits writes a canonical identity number in the seed's dddddd-dddd
// form where one exists (Swedish YYYYMMDD-NNNN loses its century), else
// as Kund keeps it.
func tenDigits(id *customer.NationalID) string {
	s := id.RegNo
	if id.CountryCode == "SE" && len(s) == 13 {
		s = s[2:]
	}
	return s
}

// errorTable is the dialect's one table from domain error code to its
// error code and status.
var errorTable = edge.Table[apiError]{
	customer.EVALIDATION:           {status: 400, Code: "invalid_parameter"},
	customer.EUNAUTHORIZED:         {status: 401, Code: "unauthorized"},
	customer.EFORBIDDEN:            {status: 403, Code: "forbidden"},
	customer.ENOTFOUND:             {status: 404, Code: "not_found"},
	customer.ECUSTOMERNOTFOUND:     {status: 404, Code: "not_found"},
	customer.ECUSTOMERERASED:       {status: 404, Code: "not_found"},
	customer.EERASEBLOCKED:         {status: 409, Code: "conflict"},
	customer.EPERSONNOTFOUND:       {status: 404, Code: "not_found"},
	customer.EPERSONDECEASED:       {status: 404, Code: "not_found"},
	customer.ELEGALADDRESSNOTFOUND: {status: 404, Code: "not_found"},
	customer.EBILLINGNOTFOUND:      {status: 404, Code: "not_found"},
	customer.EKYCNOTCONFIGURED:     {status: 404, Code: "not_found"},
	customer.EAMBIGUOUS:            {status: 409, Code: "already_exists"},
	customer.ECUSTOMEREXISTS:       {status: 409, Code: "already_exists"},
	customer.EBILLINGEXISTS:        {status: 409, Code: "already_exists"},
	customer.EKYCCONFIGURATION:     {status: 409, Code: "conflict"},
	customer.ECONFLICT:             {status: 409, Code: "conflict"},
	customer.EPRECONDITION:         {status: 412, Code: "precondition_failed"},
	customer.EPRECONDITIONREQUIRED: {status: 428, Code: "precondition_required"},
	customer.EUNSUPPORTEDMEDIA:     {status: 415, Code: "invalid_parameter"},
	customer.ETOOLARGE:             {status: 413, Code: "invalid_parameter"},
	customer.EMETHODNOTALLOWED:     {status: 405, Code: "method_not_allowed"},
	customer.EIDEMPOTENCYREUSE:     {status: 422, Code: "invalid_parameter"},
	customer.ETOOMANYREQUESTS:      {status: 429, Code: "too_many_requests"},
	customer.EUNAVAILABLE:          {status: 503, Code: "service_unavailable"},
	customer.EREGISTERUNAVAILABLE:  {status: 503, Code: "service_unavailable"},
	customer.EINTERNAL:             {status: 500, Code: "internal_server_error"},
}

// fail writes err: the dialect's own errors as they are, domain errors
// through the table. Internal errors are logged, never shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		code, t := errorTable.Find(err)
		t.Message = customer.ErrorMessage(err)
		switch code {
		case customer.EINTERNAL:
			h.log.ErrorContext(r.Context(), "payway", slog.String("error", err.Error()))
			t.Message = "Something unexpected happened server side"
		case customer.ENOTFOUND, customer.ECUSTOMERNOTFOUND, customer.ECUSTOMERERASED, customer.EPERSONNOTFOUND, customer.EPERSONDECEASED:
			t.Message = "The account could not be found"
		case customer.EAMBIGUOUS:
			t.Message = "More than one account matches; add customer_number or zip_code."
		case customer.EVALIDATION:
			if ps := customer.ErrorProblems(err); len(ps) > 0 {
				f := ps[0].Field
				t.Field, t.Message = &f, ps[0].Message
			}
		}
		e = &t
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	write(w, e.status, e)
}

// Purpose names Payway's lookups in the disclosure log.
const Purpose = "payway-account-candidate"

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
