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
	"github.com/kund/kund/internal/edge"
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
	edge  *edge.Edge
	log   *slog.Logger
}

// IdempotencyHeader is the server SDKs' own idempotency header, honoured
// like Idempotency-Key.
const IdempotencyHeader = "X-GCS-Idempotence-Key"

// Mount serves the dialect on the request pipeline: the server API with
// the merchants' API keys, the client API with the sessions they create.
func Mount(e *edge.Edge, svc *customer.Service, store Store, reg *register.Service, log *slog.Logger) {
	h := &Handler{svc: svc, store: store, reg: reg, edge: e, log: log}
	e.Accept(edge.WorldlineKey, h.authenticateKey, nil)
	e.Accept(edge.WorldlineSession, h.authenticateSession, sessionQuota{h})
	api := &edge.API{Name: "worldline", Actor: customer.ActorWorldline, Status: errorTable.Status, WriteError: h.fail, OtherLedger: customer.EFORBIDDEN,
		IdempotencyHeader: IdempotencyHeader}
	// The browser code of the client SDK calls the client API from the
	// merchant's pages: the session, not the origin, authorises, and its
	// lookups are limited per session and per client address.
	cors := http.Header{
		"Access-Control-Allow-Origin":  {"*"},
		"Access-Control-Allow-Methods": {"GET, POST, OPTIONS"},
		"Access-Control-Allow-Headers": {"Authorization, Content-Type, X-GCS-ClientMetaInfo"},
		"Access-Control-Max-Age":       {"600"},
	}
	const client = "/client/v1/{customerId}/products/{productId}"
	e.Mount(api,
		// A session's answer carries a credential, which no stored reply
		// may: a retry simply makes another session.
		edge.Route{Pattern: "POST /v1/{merchantId}/sessions", Credential: edge.WorldlineKey, Ledger: "merchantId", Handle: h.createSession},
		edge.Route{Pattern: "POST /v1/{merchantId}/products/{productId}/customerDetails", Credential: edge.WorldlineKey, Ledger: "merchantId",
			Lookup: true, Idempotent: true, Handle: h.customerDetails},
		edge.Route{Pattern: "GET " + client, Credential: edge.WorldlineSession, Header: cors, Handle: h.clientProduct},
		// The iOS client SDK asks with a trailing slash.
		edge.Route{Pattern: "GET " + client + "/{$}", Credential: edge.WorldlineSession, Header: cors, Handle: h.clientProduct},
		edge.Route{Pattern: "POST " + client + "/customerDetails", Credential: edge.WorldlineSession, Header: cors,
			Lookup: true, Idempotent: true, Handle: h.customerDetails},
		edge.Route{Pattern: "OPTIONS /client/v1/", Header: cors, Handle: func(w http.ResponseWriter, r *http.Request, _ edge.Call) error {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}},
	)
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

func (h *Handler) createSession(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
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
		return err
	}
	l, err := h.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	id, s := auth.NewWorldlineSession(l.No, l.SessionQuota(), h.svc.Now(), l.SessionLifetime())
	if err := h.store.CreateWorldlineSession(r.Context(), s); err != nil {
		return err
	}
	invalid := in.Tokens
	if invalid == nil {
		invalid = []string{}
	}
	base := h.edge.BaseURL(r)
	write(w, http.StatusCreated, session{
		AssetURL: base + "/client/assets/", ClientAPIURL: base, ClientSessionID: id,
		CustomerID: s.CustomerID, InvalidTokens: invalid, Region: "EU",
	})
	return nil
}

func (h *Handler) clientProduct(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	country := r.URL.Query().Get("countryCode")
	id, err := h.checkProduct(r.Context(), caller.LedgerNo, r.PathValue("productId"), country)
	if err != nil {
		return err
	}
	write(w, http.StatusOK, product(id, country))
	return nil
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

// customerDetails answers a lookup for caller, the API key or the client
// session, as the disclosure log names it.
func (h *Handler) customerDetails(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	var in detailsRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	if err != nil || json.Unmarshal(body, &in) != nil {
		return errBadRequest("", "The body must be a GetCustomerDetailsRequest in JSON.")
	}
	if in.CountryCode == "" {
		return errMissing("countryCode")
	}
	if _, err := h.checkProduct(r.Context(), caller.LedgerNo, r.PathValue("productId"), in.CountryCode); err != nil {
		return err
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
	q := register.Question{Purpose: Purpose, Country: in.CountryCode}
	switch {
	case fiscal != "":
		regNo, err := nordic.ParsePersonalNumber(in.CountryCode, fiscal, h.svc.Now())
		if err != nil {
			return errInvalid("values[key='fiscalNumber'].value")
		}
		// A personal identity number is looked up among the ledger's
		// customers and then in the register.
		q.RegNo, q.Register = regNo, true
	case phone != "":
		// A phone number looks up only the ledger's own customers.
		msisdn, err := nordic.ParseMSISDN(phone)
		if err != nil {
			return errInvalid("values[key='phoneNumber'].value")
		}
		q.MSISDN = msisdn
	default:
		return errMissing("values[key='fiscalNumber'].value")
	}
	a, err := h.reg.Identify(r.Context(), h.svc, caller.Caller, q)
	if err != nil {
		return err
	}
	if a.Customer != nil {
		write(w, http.StatusOK, fromCustomer(a.Customer))
		return nil
	}
	p := a.Person
	write(w, http.StatusOK, &details{
		City: p.Address.City, Country: p.Address.CountryCode, FirstName: p.FirstName, Surname: p.LastName,
		FiscalNumber: p.RegNo, PhoneNumber: compat.NationalPhone(p.Phone), Street: p.Address.StreetAddress, Zip: p.Address.ZipCode,
	})
	return nil
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
