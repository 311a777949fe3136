// Package payway answers Tulo Payway's account candidate lookup and its
// client-credentials token endpoint, from Kund's customers: wire mapping
// only.
package payway

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/compat"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
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

// Handler serves the dialect.
type Handler struct {
	svc   *customer.Service
	authn *auth.Authenticator
	store Store
	log   *slog.Logger
}

// Mount registers the dialect's routes with handle.
func Mount(handle func(string, http.Handler), svc *customer.Service, authn *auth.Authenticator, store Store, log *slog.Logger) {
	h := &Handler{svc: svc, authn: authn, store: store, log: log}
	handle("POST /api/authorization/access_token", http.HandlerFunc(h.accessToken))
	handle("GET /external/api/v1/accounts/candidate", http.HandlerFunc(h.candidate))
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

// apiError is Payway's error body.
type apiError struct {
	status  int
	Code    string  `json:"code"`
	Field   *string `json:"field"`
	Message string  `json:"message"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func fieldError(status int, code, field, message string) *apiError {
	f := field
	return &apiError{status: status, Code: code, Field: &f, Message: message}
}

func plainError(status int, code, message string) *apiError {
	return &apiError{status: status, Code: code, Message: message}
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// accessToken is the dialect's only POST. It takes no Idempotency-Key:
// replaying its answer would mean keeping a live bearer token in plaintext
// for a day, while Kund keeps only token hashes. A retry is harmless
// without one: it gets a fresh token, and each expires within TokenTTL.
func (h *Handler) accessToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, plainError(http.StatusBadRequest, "invalid_parameter", "The body must be application/x-www-form-urlencoded."))
		return
	}
	f := r.PostForm
	for _, name := range []string{"client_id", "client_secret", "grant_type", "scope"} {
		if strings.TrimSpace(f.Get(name)) == "" {
			h.fail(w, r, fieldError(http.StatusBadRequest, "invalid_parameter", name, "Parameter is required"))
			return
		}
	}
	for name := range f {
		if !slices.Contains([]string{"client_id", "client_secret", "grant_type", "scope"}, name) {
			h.fail(w, r, fieldError(http.StatusBadRequest, "unknown_parameter", name, "Parameter is not recognized"))
			return
		}
	}
	if f.Get("grant_type") != "none" {
		h.fail(w, r, fieldError(http.StatusBadRequest, "invalid_parameter", "grant_type", `Parameter must be "none"`))
		return
	}
	c, err := h.store.PaywayClient(r.Context(), f.Get("client_id"))
	if customer.ErrorCode(err) == customer.ENOTFOUND || (err == nil && !c.CheckSecret(f.Get("client_secret"))) {
		h.fail(w, r, plainError(http.StatusUnauthorized, "invalid_client", "The client id or secret is wrong."))
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	scopes := strings.Fields(f.Get("scope"))
	for _, s := range scopes {
		if !slices.Contains(c.Scopes, s) {
			h.fail(w, r, fieldError(http.StatusForbidden, "invalid_scope", "scope", "The client may not request this scope."))
			return
		}
	}
	plain, t := auth.New(c.LedgerNo, []customer.Scope{customer.ScopeRead}, h.svc.Now(), TokenTTL)
	if err := h.store.CreateToken(r.Context(), t); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	write(w, http.StatusOK, tokenResponse{AccessToken: plain, TokenType: "bearer", ExpiresIn: int(TokenTTL / time.Second), Scope: strings.Join(scopes, " ")})
}

type product struct {
	ProductCode string `json:"product_code"`
	ValidTo     string `json:"valid_to"`
}

type item struct {
	AccountCandidateID   string    `json:"account_candidate_id"`
	Email                string    `json:"email"`
	FirstName            string    `json:"first_name"`
	LastName             string    `json:"last_name"`
	MobilePhoneNumber    string    `json:"mobile_phone_number"`
	SocialSecurityNumber string    `json:"social_security_number"`
	CustomerNumber       string    `json:"customer_number"`
	ZipCode              string    `json:"zip_code"`
	Products             []product `json:"products"`
}

// The seed's formats.
var (
	ssnFormat  = regexp.MustCompile(`^[0-9]{6}-[0-9]{4}$`)
	nameFormat = regexp.MustCompile(`^[a-zA-Z-_0-9]+$`)
)

func (h *Handler) candidate(w http.ResponseWriter, r *http.Request) {
	caller, err := compat.Bearer(r.Context(), h.authn, r)
	if err == nil && !caller.Can(customer.ScopeRead) {
		err = plainError(http.StatusForbidden, "forbidden", "The token lacks the scope "+ScopeAccountRead+".")
	}
	var c *customer.Customer
	if err == nil {
		c, err = h.lookup(r, caller)
	}
	var ps []customer.Product
	if err == nil {
		ps, err = h.svc.Products(r.Context(), c.LedgerNo, c.No)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, map[string]any{"item": represent(c, ps)})
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
	notFound := plainError(http.StatusNotFound, "not_found", "The account could not be found")
	var found []*customer.Customer
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
			return nil, notFound
		}
		found, err = h.svc.LookupByNationalID(r.Context(), caller.LedgerNo, customer.NationalID{RegNo: regNo, CountryCode: l.Country})
		if err != nil {
			return nil, err
		}
	} else {
		c, err := h.svc.Customer(r.Context(), caller.LedgerNo, no)
		if customer.ErrorCode(err) == customer.ECUSTOMERNOTFOUND {
			return nil, notFound
		} else if err != nil {
			return nil, err
		}
		found = []*customer.Customer{c}
	}
	var match []*customer.Customer
	for _, c := range found {
		if !customer.Disclosable(c) || (no != "" && c.No != no) || (zip != "" && !strings.EqualFold(c.LegalAddress.ZipCode, zip)) {
			continue
		}
		match = append(match, c)
	}
	switch len(match) {
	case 0:
		return nil, notFound
	case 1:
		return match[0], nil
	}
	return nil, plainError(http.StatusConflict, "already_exists", "More than one account matches; add customer_number or zip_code.")
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

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := err.(*apiError)
	if !ok {
		switch customer.ErrorCode(err) {
		case customer.EUNAUTHORIZED:
			e = plainError(http.StatusUnauthorized, "unauthorized", customer.ErrorMessage(err))
		case customer.EUNAVAILABLE:
			e = plainError(http.StatusServiceUnavailable, "service_unavailable", customer.ErrorMessage(err))
		default:
			h.log.ErrorContext(r.Context(), "payway", slog.String("error", err.Error()))
			e = plainError(http.StatusInternalServerError, "internal_server_error", "Something unexpected happened server side")
		}
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	write(w, e.status, e)
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
