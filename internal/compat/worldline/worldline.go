// Package worldline answers the customer-details lookup of Worldline
// (Ingenico) Connect, server API and client API, from Kund's customers and
// the population register: wire mapping only.
package worldline

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/compat"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/register"
)

// LookupProductID is the payment product with customer lookup that a
// ledger has when it has configured none.
const LookupProductID = 9000

// LookupCountries are the countries where a lookup product can look
// customers up by fiscalNumber (the personal identity number), and those
// of the default product.
var LookupCountries = []string{"SE", "NO", "DK", "FI"}

// products returns the lookup products of a ledger by id with their
// countries: those configured, or else the default.
func (h *Handler) products(ctx context.Context, ledgerNo string) (map[int][]string, error) {
	ps, err := h.store.WorldlineProducts(ctx, ledgerNo)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		ps = map[int][]string{LookupProductID: LookupCountries}
	}
	return ps, nil
}

// SetProduct configures a lookup product of a ledger (`kund worldline
// product set`); no countries removes it.
func SetProduct(ctx context.Context, svc *customer.Service, store auth.CompatStore, ledgerNo string, productID int, countries []string) error {
	if _, err := svc.Ledger(ctx, ledgerNo); err != nil {
		return err
	}
	if productID <= 0 || productID > 99999 {
		return customer.ValidationError("product", "must be a payment product id, 1-99999")
	}
	for _, c := range countries {
		if !slices.Contains(LookupCountries, c) {
			return customer.ValidationError("countries", "must be among SE, NO, DK and FI")
		}
	}
	return store.SetWorldlineProduct(ctx, ledgerNo, productID, countries)
}

// Purpose names Worldline's lookups in the register's disclosure log.
const Purpose = "worldline-customer-details"

// Store is what the dialect keeps.
type Store interface {
	auth.CompatStore
}

// Handler serves the dialect.
type Handler struct {
	svc   *customer.Service
	store Store
	reg   *register.Service
	log   *slog.Logger
}

// Mount registers the dialect's routes with handle.
func Mount(handle func(string, http.Handler), svc *customer.Service, store Store, reg *register.Service, log *slog.Logger) {
	h := &Handler{svc: svc, store: store, reg: reg, log: log}
	handle("POST /v1/{merchantId}/sessions", http.HandlerFunc(h.createSession))
	handle("POST /v1/{merchantId}/products/{productId}/customerDetails", http.HandlerFunc(h.serverCustomerDetails))
	handle("GET /client/v1/{customerId}/products/{productId}", cors(h.clientProduct))
	handle("POST /client/v1/{customerId}/products/{productId}/customerDetails", cors(h.clientCustomerDetails))
	handle("OPTIONS /client/v1/", cors(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
}

// cors lets the browser code of the client SDK call the client API from
// the merchant's pages: the client session, not the origin, authorises.
func cors(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-GCS-ClientMetaInfo")
		w.Header().Set("Access-Control-Max-Age", "600")
		h(w, r)
	})
}

// CreateKey makes an API key of a ledger.
func CreateKey(ctx context.Context, svc *customer.Service, store auth.CompatStore, ledgerNo string) (*auth.WorldlineKey, error) {
	if _, err := svc.Ledger(ctx, ledgerNo); err != nil {
		return nil, err
	}
	k := auth.NewWorldlineKey(ledgerNo, svc.Now())
	if err := store.CreateWorldlineKey(ctx, k); err != nil {
		return nil, err
	}
	return k, nil
}

type session struct {
	AssetURL        string   `json:"assetUrl"`
	ClientAPIURL    string   `json:"clientApiUrl"`
	ClientSessionID string   `json:"clientSessionId"`
	CustomerID      string   `json:"customerId"`
	InvalidTokens   []string `json:"invalidTokens"`
	Region          string   `json:"region"`
}

// base is the URL the client reached Kund at, for the session's URLs.
func base(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *Handler) server(w http.ResponseWriter, r *http.Request) (*auth.WorldlineKey, bool) {
	k, err := checkHMAC(r.Context(), h.store, r, h.svc.Now())
	if err == nil && k.LedgerNo != r.PathValue("merchantId") {
		err = customer.Errorf(customer.EFORBIDDEN, "The API key is not this merchant's.")
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return k, true
}

func (h *Handler) createSession(w http.ResponseWriter, r *http.Request) {
	k, ok := h.server(w, r)
	if !ok {
		return
	}
	h.idempotent(w, r, k.LedgerNo, func(w http.ResponseWriter, r *http.Request) { h.newSession(w, r, k) })
}

// idempotent runs a POST of the merchant's ledger under its
// Idempotency-Key, as the native API does, with the errors in Worldline's
// format.
func (h *Handler) idempotent(w http.ResponseWriter, r *http.Request, ledgerNo string, serve http.HandlerFunc) {
	if err := httpapi.Idempotent(h.svc, h.log, w, r, ledgerNo, serve); err != nil {
		h.fail(w, r, err)
	}
}

func (h *Handler) newSession(w http.ResponseWriter, r *http.Request, k *auth.WorldlineKey) {
	// The body (payment product filters, tokens) may be empty; Kund keeps no
	// tokens, so every token sent is invalid for it.
	var in struct {
		Tokens []string `json:"tokens"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil && len(body) > 0 && json.Unmarshal(body, &in) != nil {
		err = errBadRequest("", "The body is not valid JSON.")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.svc.Now()
	s := &auth.WorldlineSession{ID: auth.RandomHex(16), LedgerNo: k.LedgerNo, CustomerID: k.LedgerNo + "-" + auth.RandomHex(10), CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := h.store.CreateWorldlineSession(r.Context(), s); err != nil {
		h.fail(w, r, err)
		return
	}
	invalid := in.Tokens
	if invalid == nil {
		invalid = []string{}
	}
	write(w, http.StatusCreated, session{
		AssetURL: base(r) + "/client/assets/", ClientAPIURL: base(r), ClientSessionID: s.ID,
		CustomerID: s.CustomerID, InvalidTokens: invalid, Region: "EU",
	})
}

func (h *Handler) serverCustomerDetails(w http.ResponseWriter, r *http.Request) {
	k, ok := h.server(w, r)
	if !ok {
		return
	}
	caller := customer.Caller{TokenID: "worldline-key:" + k.ID, LedgerNo: k.LedgerNo}
	h.idempotent(w, r, k.LedgerNo, func(w http.ResponseWriter, r *http.Request) { h.customerDetails(w, r, caller) })
}

func (h *Handler) clientCustomerDetails(w http.ResponseWriter, r *http.Request) {
	s, err := checkClient(r.Context(), h.store, r, h.svc.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	caller := customer.Caller{TokenID: "worldline-session:" + s.ID, LedgerNo: s.LedgerNo}
	h.idempotent(w, r, s.LedgerNo, func(w http.ResponseWriter, r *http.Request) { h.customerDetails(w, r, caller) })
}

func (h *Handler) clientProduct(w http.ResponseWriter, r *http.Request) {
	s, err := checkClient(r.Context(), h.store, r, h.svc.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	country := r.URL.Query().Get("countryCode")
	id, err := h.checkProduct(r.Context(), s.LedgerNo, r.PathValue("productId"), country)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, product(id, country))
}

// checkProduct answers 404 for any product but the ledger's lookup
// products, and for a lookup product in a country where it does not look
// up.
func (h *Handler) checkProduct(ctx context.Context, ledgerNo, id, country string) (int, error) {
	ps, err := h.products(ctx, ledgerNo)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(id)
	countries, ok := ps[n]
	if err != nil || !ok {
		return 0, errUnknownProduct()
	}
	if country == "" {
		return 0, errMissing("countryCode")
	}
	if !slices.Contains(countries, country) {
		return 0, errUnknownProduct()
	}
	return n, nil
}

type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type detailsRequest struct {
	CountryCode string     `json:"countryCode"`
	Values      []keyValue `json:"values"`
}

type details struct {
	City         string `json:"city,omitempty"`
	Country      string `json:"country,omitempty"`
	EmailAddress string `json:"emailAddress,omitempty"`
	FirstName    string `json:"firstName,omitempty"`
	FiscalNumber string `json:"fiscalNumber,omitempty"`
	LanguageCode string `json:"languageCode"`
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	Street       string `json:"street,omitempty"`
	Surname      string `json:"surname,omitempty"`
	Zip          string `json:"zip,omitempty"`
}

// customerDetails answers a lookup for caller: the API key or the client
// session, as the register's disclosure log names it.
func (h *Handler) customerDetails(w http.ResponseWriter, r *http.Request, caller customer.Caller) {
	d, err := h.lookup(w, r, caller)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, d)
}

func (h *Handler) lookup(w http.ResponseWriter, r *http.Request, caller customer.Caller) (*details, error) {
	ledgerNo := caller.LedgerNo
	var in detailsRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	if err != nil || json.Unmarshal(body, &in) != nil {
		return nil, errBadRequest("", "The body must be a GetCustomerDetailsRequest in JSON.")
	}
	if in.CountryCode == "" {
		return nil, errMissing("countryCode")
	}
	if _, err := h.checkProduct(r.Context(), ledgerNo, r.PathValue("productId"), in.CountryCode); err != nil {
		return nil, err
	}
	var fiscal, phone string
	for _, kv := range in.Values {
		switch kv.Key {
		case "fiscalNumber":
			fiscal = kv.Value
		case "phoneNumber":
			phone = kv.Value
		}
	}
	now := h.svc.Now()
	var found []*customer.Customer
	var ask func() (*register.Person, error)
	switch {
	case fiscal != "":
		regNo, err := nordic.ParsePersonalNumber(in.CountryCode, fiscal, now)
		if err != nil {
			return nil, errInvalid("values[key='fiscalNumber'].value")
		}
		found, err = h.svc.LookupByNationalID(r.Context(), ledgerNo, customer.NationalID{RegNo: regNo, CountryCode: in.CountryCode})
		if err != nil {
			return nil, err
		}
		ask = func() (*register.Person, error) {
			return h.reg.Lookup(r.Context(), caller, Purpose, in.CountryCode, regNo)
		}
	case phone != "":
		// A phone number looks up only the ledger's own customers.
		msisdn, err := nordic.ParseMSISDN(phone)
		if err != nil {
			return nil, errInvalid("values[key='phoneNumber'].value")
		}
		found, err = h.svc.LookupByMSISDN(r.Context(), ledgerNo, msisdn)
		if err != nil {
			return nil, err
		}
	default:
		return nil, errMissing("values[key='fiscalNumber'].value")
	}
	switch {
	case len(found) == 1:
		return fromCustomer(found[0]), nil
	case len(found) > 1 || ask == nil:
		return nil, errNotFound()
	}
	p, err := compat.RegisterPerson(ask())
	if customer.ErrorCode(err) == customer.ECUSTOMERNOTFOUND {
		return nil, errNotFound()
	} else if err != nil {
		return nil, err
	}
	return &details{
		City: p.Address.City, Country: p.Address.CountryCode, FirstName: p.FirstName, Surname: p.LastName,
		FiscalNumber: p.RegNo, PhoneNumber: compat.NationalPhone(p.Phone), Street: p.Address.StreetAddress, Zip: p.Address.ZipCode,
	}, nil
}

func fromCustomer(c *customer.Customer) *details {
	a := c.LegalAddress
	d := &details{City: a.City, Country: a.CountryCode, EmailAddress: c.Email, PhoneNumber: compat.NationalPhone(c.MSISDN),
		Street: a.StreetAddress, Zip: a.ZipCode}
	if c.NationalID != nil {
		d.FiscalNumber = c.NationalID.RegNo
	}
	if c.LegalEntity == customer.Business {
		d.Surname = c.Name
	} else {
		d.FirstName, d.Surname = compat.SplitName(c.Name)
	}
	if c.PreferredLanguage != "" {
		d.LanguageCode = lower(c.PreferredLanguage)
	}
	return d
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
