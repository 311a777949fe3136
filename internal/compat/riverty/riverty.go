// Package riverty answers Riverty's "lookup and create a customer" from
// Kund's customers and, for persons Kund does not know yet, the population
// register: wire mapping only.
package riverty

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/compat"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/register"
)

// Handler serves the dialect.
type Handler struct {
	svc   *customer.Service
	authn *auth.Authenticator
	reg   *register.Service
	log   *slog.Logger
}

// Mount registers the dialect's route with handle.
func Mount(handle func(string, http.Handler), svc *customer.Service, authn *auth.Authenticator, reg *register.Service, log *slog.Logger) {
	h := &Handler{svc: svc, authn: authn, reg: reg, log: log}
	handle("POST /v1/clients/{clientId}/lookup/customer", http.HandlerFunc(h.lookup))
}

// Purpose names Riverty's lookups in the register's disclosure log.
const Purpose = "riverty-lookup-and-create-customer"

// Lookup fields of the seed.
const (
	FieldIdentification = "IdentificationNumber"
	FieldPhone          = "PhoneNumber"
)

type link struct {
	Href   string `json:"href"`
	Rel    string `json:"rel"`
	Method string `json:"method"`
}

type person struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

type company struct {
	Name               string `json:"name"`
	OrganizationNumber string `json:"organizationNumber"`
}

type address struct {
	AddressLine  string `json:"addressLine"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	AddressLine3 string `json:"addressLine3,omitempty"`
	PostalCode   string `json:"postalCode"`
	PostalPlace  string `json:"postalPlace"`
	CountryCode  string `json:"countryCode"`
}

type response struct {
	Links          []link   `json:"_links"`
	CustomerNumber string   `json:"customerNumber"`
	Type           string   `json:"type"`
	Person         *person  `json:"person,omitempty"`
	Company        *company `json:"company,omitempty"`
	PhoneNumber    string   `json:"phoneNumber,omitempty"`
	Email          string   `json:"email,omitempty"`
	Address        address  `json:"address"`
}

// apiError is Riverty's error body.
type apiError struct {
	status   int
	Type     string `json:"type"`
	Title    string `json:"title"`
	Details  string `json:"details"`
	Category string `json:"category"`
}

func (e *apiError) Error() string { return e.Title + ": " + e.Details }

// Error type URIs, relative like the native API's problem types.
const typeBase = "riverty/v1/errors/"

func businessError(status int, kind, title, details string) *apiError {
	return &apiError{status: status, Type: typeBase + kind, Title: title, Details: details, Category: "BusinessError"}
}

func technicalError(status int, kind, title, details string) *apiError {
	return &apiError{status: status, Type: typeBase + kind, Title: title, Details: details, Category: "TechnicalError"}
}

// request is one lookup, whichever body form carried it.
type request struct {
	CustomerNumber string
	Field, Value   string
}

// wire forms: the seed's {"lookupField","lookupValue"} (also as the
// one-element array its sample shows) and the newer
// {"customerNumber"?, "lookup":{"type","value"}}.
type wire struct {
	LookupField    *string `json:"lookupField"`
	LookupValue    *string `json:"lookupValue"`
	CustomerNumber *string `json:"customerNumber"`
	Lookup         *struct {
		Type  *string `json:"type"`
		Value *string `json:"value"`
	} `json:"lookup"`
}

func decode(body []byte) (*request, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(body, &list); err != nil || len(list) != 1 {
			return nil, businessError(400, "validation", "Invalid request", "An array body must hold exactly one lookup.")
		}
		body = list[0]
	}
	var w wire
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil || dec.More() {
		return nil, businessError(400, "validation", "Invalid request", "The body must be a JSON lookup object with lookupField and lookupValue, or lookup.type and lookup.value.")
	}
	r := &request{}
	switch {
	case w.Lookup != nil && (w.LookupField != nil || w.LookupValue != nil):
		return nil, businessError(400, "validation", "Invalid request", "Send either lookupField/lookupValue or lookup, not both.")
	case w.Lookup != nil:
		if w.Lookup.Type == nil || w.Lookup.Value == nil {
			return nil, businessError(400, "validation", "Invalid request", "lookup.type and lookup.value are required.")
		}
		r.Field, r.Value = *w.Lookup.Type, *w.Lookup.Value
	default:
		if w.LookupField == nil || w.LookupValue == nil {
			return nil, businessError(400, "validation", "Invalid request", "lookupField and lookupValue are required.")
		}
		r.Field, r.Value = *w.LookupField, *w.LookupValue
	}
	if w.CustomerNumber != nil {
		r.CustomerNumber = *w.CustomerNumber
	}
	if r.Field != FieldIdentification && r.Field != FieldPhone {
		return nil, businessError(400, "validation", "Invalid request", "The lookup field must be IdentificationNumber or PhoneNumber.")
	}
	if strings.TrimSpace(r.Value) == "" {
		return nil, businessError(400, "validation", "Invalid request", "The lookup value is required.")
	}
	return r, nil
}

func (h *Handler) lookup(w http.ResponseWriter, r *http.Request) {
	caller, err := compat.Bearer(r.Context(), h.authn, r)
	// clientId is the ledger number; the token must be that ledger's.
	if err == nil && (caller.LedgerNo != r.PathValue("clientId") || !caller.Can(customer.ScopeRead)) {
		err = technicalError(http.StatusForbidden, "forbidden", "Forbidden", "The token may not look up customers of this client.")
	}
	if err == nil {
		// Under an Idempotency-Key, as in the native API: a customer the
		// lookup creates is stored with its 201 in one transaction.
		err = httpapi.Idempotent(h.svc, h.log, w, r, caller.LedgerNo, func(w http.ResponseWriter, r *http.Request) {
			httpapi.RespondWith(r, func(c *customer.Customer) (customer.Reply, error) { return reply(http.StatusCreated, c) })
			status, c, err := h.serve(w, r, caller)
			var res customer.Reply
			if err == nil {
				res, err = reply(status, c)
			}
			if err != nil {
				h.fail(w, r, err)
				return
			}
			for k, v := range res.Header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(res.Status)
			w.Write(res.Body)
		})
	}
	if err != nil {
		h.fail(w, r, err)
	}
}

// reply renders the answer about c, found (200) or created (201), exactly
// as it is stored for a retry under an Idempotency-Key.
func reply(status int, c *customer.Customer) (customer.Reply, error) {
	self := "/v1/clients/" + c.LedgerNo + "/customers/" + c.No
	res := represent(c)
	res.Links = []link{{Href: self, Rel: "self", Method: "GET"}}
	body, err := json.Marshal(res)
	if err != nil {
		return customer.Reply{}, err
	}
	header := map[string]string{"Content-Type": "application/json"}
	if status == http.StatusCreated {
		header["Location"] = self
	}
	return customer.Reply{Status: status, Header: header, Body: append(body, '\n')}, nil
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, caller customer.Caller) (int, *customer.Customer, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	if err != nil {
		return 0, nil, businessError(http.StatusRequestEntityTooLarge, "validation", "Invalid request", "The body is too large.")
	}
	req, err := decode(body)
	if err != nil {
		return 0, nil, err
	}
	l, err := h.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return 0, nil, err
	}
	var found []*customer.Customer
	var ask func() (*register.Person, error)
	switch req.Field {
	case FieldIdentification:
		regNo, kind, err := nordic.ParseIdentity(l.Country, req.Value, h.svc.Now())
		if err != nil {
			return 0, nil, businessError(400, "validation", "Invalid request", "The lookup value is not a valid identification number of "+l.Country+".")
		}
		found, err = h.svc.LookupByNationalID(r.Context(), l.No, customer.NationalID{RegNo: regNo, CountryCode: l.Country})
		if err != nil {
			return 0, nil, err
		}
		if kind == nordic.Person {
			ask = func() (*register.Person, error) {
				return h.reg.Lookup(r.Context(), caller, Purpose, l.Country, regNo)
			}
		}
	case FieldPhone:
		msisdn, err := nordic.ParseMSISDN(req.Value)
		if err != nil {
			return 0, nil, businessError(400, "validation", "Invalid request", "The lookup value must be a phone number in international form, such as +46701234567.")
		}
		found, err = h.svc.LookupByMSISDN(r.Context(), l.No, msisdn)
		if err != nil {
			return 0, nil, err
		}
		ask = func() (*register.Person, error) { return h.reg.LookupPhone(r.Context(), caller, Purpose, msisdn) }
	}
	if req.CustomerNumber != "" {
		// The newer body names the customer it expects.
		var match []*customer.Customer
		for _, c := range found {
			if c.No == req.CustomerNumber {
				match = append(match, c)
			}
		}
		found = match
	}
	switch {
	case len(found) == 1:
		return http.StatusOK, found[0], nil
	case len(found) > 1:
		return 0, nil, businessError(http.StatusConflict, "ambiguous", "Several customers match", "Several customers match the lookup value; send customerNumber to choose one.")
	case ask == nil:
		return 0, nil, errNotFound()
	}
	// Creating a customer from the register needs the register scope.
	if !caller.Can(customer.ScopeRegister) {
		return 0, nil, errNotFound()
	}
	p, err := compat.RegisterPerson(ask())
	if err != nil {
		return 0, nil, err
	}
	if p.Country != l.Country {
		return 0, nil, errNotFound()
	}
	if l.CustomerNumbers == customer.NumbersClient && req.CustomerNumber == "" {
		return 0, nil, businessError(400, "validation", "Invalid request", "customerNumber is required to create a customer: this client chooses its own customer numbers.")
	}
	no := req.CustomerNumber
	if l.CustomerNumbers == customer.NumbersGenerated {
		no = ""
	}
	c, err := compat.CreateFromRegister(r.Context(), h.svc, l.No, no, p)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, c, nil
}

func errNotFound() error {
	return businessError(http.StatusNotFound, "customer-not-found", "Customer not found", "No customer was found with the lookup value.")
}

func represent(c *customer.Customer) *response {
	res := &response{CustomerNumber: c.No, PhoneNumber: c.MSISDN, Email: c.Email}
	if c.LegalEntity == customer.Business {
		res.Type = "Company"
		res.Company = &company{Name: c.Name}
		if c.NationalID != nil {
			res.Company.OrganizationNumber = c.NationalID.RegNo
		}
	} else {
		res.Type = "Person"
		first, last := compat.SplitName(c.Name)
		res.Person = &person{FirstName: first, LastName: last}
	}
	a := c.LegalAddress
	res.Address = address{AddressLine: a.StreetAddress, AddressLine2: a.CoAddress, PostalCode: a.ZipCode, PostalPlace: a.City, CountryCode: a.CountryCode}
	return res
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		switch customer.ErrorCode(err) {
		case customer.EUNAUTHORIZED:
			e = technicalError(http.StatusUnauthorized, "unauthorized", "Unauthorized", customer.ErrorMessage(err))
		case customer.ECUSTOMERNOTFOUND, customer.ENOTFOUND:
			e = errNotFound().(*apiError)
		case customer.EVALIDATION:
			// A register entry the domain refuses (or a customer number
			// that is not valid) cannot become a customer.
			msg := customer.ErrorMessage(err)
			for _, p := range customer.ErrorProblems(err) {
				msg += " " + p.Field + ": " + p.Message + "."
			}
			e = businessError(http.StatusBadRequest, "validation", "Invalid request", msg)
		case customer.ECUSTOMEREXISTS:
			e = businessError(http.StatusConflict, "customer-exists", "Customer already exists", customer.ErrorMessage(err))
		case customer.EIDEMPOTENCYREUSE:
			e = businessError(http.StatusUnprocessableEntity, "idempotency-key-reuse", "Idempotency-Key reused", customer.ErrorMessage(err))
		case customer.ECONFLICT:
			e = technicalError(http.StatusConflict, "conflict", "Request in progress", customer.ErrorMessage(err))
		case customer.ETOOLARGE:
			e = businessError(http.StatusRequestEntityTooLarge, "validation", "Invalid request", "The body is too large.")
		case customer.EUNAVAILABLE:
			e = technicalError(http.StatusServiceUnavailable, "unavailable", "Service unavailable", customer.ErrorMessage(err))
		default:
			h.log.ErrorContext(r.Context(), "riverty", slog.String("error", err.Error()))
			e = technicalError(http.StatusInternalServerError, "internal", "Internal error", "An unexpected error occurred.")
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
