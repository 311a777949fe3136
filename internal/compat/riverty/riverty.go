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

	"github.com/kund/kund/internal/compat"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/register"
)

// Handler serves the dialect.
type Handler struct {
	svc *customer.Service
	reg *register.Service
	log *slog.Logger
}

// Mount serves the dialect on the request pipeline, with native bearer
// tokens; clientId is the ledger number.
func Mount(e *edge.Edge, svc *customer.Service, reg *register.Service, log *slog.Logger) {
	h := &Handler{svc: svc, reg: reg, log: log}
	api := &edge.API{Name: "riverty", Actor: customer.ActorRiverty, Status: errorTable.Status, WriteError: h.fail, OtherLedger: customer.EFORBIDDEN}
	e.Mount(api, edge.Route{Pattern: "POST /v1/clients/{clientId}/lookup/customer", Credential: edge.Token, Ledger: "clientId",
		Scope: customer.ScopeRead, Lookup: true, Idempotent: true, Handle: h.lookup, Replay: h.replayCreated})
}

// Purpose names Riverty's lookups in the register's disclosure log.
const Purpose = "riverty-lookup-and-create-customer"

// Lookup fields of the seed.
const (
	FieldIdentification = "IdentificationNumber"
	FieldPhone          = "PhoneNumber"
)

func (e *apiError) Error() string { return e.Title + ": " + e.Details }

func (e apiError) HTTPStatus() int { return e.status }

// Error type URIs, relative like the native API's problem types.
const typeBase = "riverty/v1/errors/"

func businessError(status int, kind, title, details string) *apiError {
	return &apiError{status: status, Type: typeBase + kind, Title: title, Details: details, Category: "BusinessError"}
}

// request is one lookup, whichever body form carried it.
type request struct {
	CustomerNumber string
	Field, Value   string
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

// lookup answers a lookup, creating the customer from the register when
// the caller may. A customer it creates is stored with its 201 under the
// request's Idempotency-Key in one transaction.
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	if err != nil {
		return businessError(http.StatusRequestEntityTooLarge, "validation", "Invalid request", "The body is too large.")
	}
	req, err := decode(body)
	if err != nil {
		return err
	}
	l, err := h.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	q := register.Question{Purpose: Purpose, Country: l.Country, CustomerNo: req.CustomerNumber, Register: true, Create: true}
	switch req.Field {
	case FieldIdentification:
		q.RegNo, _, err = nordic.ParseIdentity(l.Country, req.Value, h.svc.Now())
		if err != nil {
			return businessError(400, "validation", "Invalid request", "The lookup value is not a valid identification number of "+l.Country+".")
		}
	case FieldPhone:
		q.MSISDN, err = nordic.ParseMSISDN(req.Value)
		if err != nil {
			return businessError(400, "validation", "Invalid request", "The lookup value must be a phone number in international form, such as +46701234567.")
		}
	}
	a, err := h.reg.Identify(r.Context(), h.svc, caller.Caller, q, customer.Completing(caller.Key))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if a.Created {
		status = http.StatusCreated
	}
	return answer(w, status, a.Customer)
}

// replayCreated answers a retry of a lookup that created its customer,
// when the first answer was lost: 201 with the customer as it is now.
func (h *Handler) replayCreated(w http.ResponseWriter, r *http.Request, caller edge.Call, written customer.Written) error {
	c, err := h.svc.Customer(r.Context(), caller.LedgerNo, written.CustomerNo)
	if err != nil {
		return err
	}
	return answer(w, http.StatusCreated, c)
}

// answer writes the answer about c, found (200) or created (201).
func answer(w http.ResponseWriter, status int, c *customer.Customer) error {
	self := "/v1/clients/" + c.LedgerNo + "/customers/" + c.No
	res := represent(c)
	res.Links = []link{{Href: self, Rel: "self", Method: "GET"}}
	if status == http.StatusCreated {
		w.Header().Set("Location", self)
	}
	write(w, status, res)
	return nil
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

// errorTable is the dialect's one table from domain error code to its
// error: request and lookup outcomes are BusinessErrors, authentication,
// authorisation and outages TechnicalErrors.
var errorTable = edge.Table[apiError]{
	customer.EVALIDATION:           {status: 400, Type: typeBase + "validation", Title: "Invalid request", Category: "BusinessError"},
	customer.EUNAUTHORIZED:         {status: 401, Type: typeBase + "unauthorized", Title: "Unauthorized", Category: "TechnicalError"},
	customer.EFORBIDDEN:            {status: 403, Type: typeBase + "forbidden", Title: "Forbidden", Category: "TechnicalError"},
	customer.ENOTFOUND:             {status: 404, Type: typeBase + "customer-not-found", Title: "Customer not found", Category: "BusinessError"},
	customer.ECUSTOMERNOTFOUND:     {status: 404, Type: typeBase + "customer-not-found", Title: "Customer not found", Category: "BusinessError"},
	customer.ECUSTOMERERASED:       {status: 404, Type: typeBase + "customer-not-found", Title: "Customer not found", Category: "BusinessError"},
	customer.EERASEBLOCKED:         {status: 409, Type: typeBase + "conflict", Title: "Conflict", Category: "BusinessError"},
	customer.EPERSONNOTFOUND:       {status: 404, Type: typeBase + "customer-not-found", Title: "Customer not found", Category: "BusinessError"},
	customer.EPERSONDECEASED:       {status: 404, Type: typeBase + "customer-not-found", Title: "Customer not found", Category: "BusinessError"},
	customer.ELEGALADDRESSNOTFOUND: {status: 404, Type: typeBase + "customer-not-found", Title: "Customer not found", Category: "BusinessError"},
	customer.EBILLINGNOTFOUND:      {status: 404, Type: typeBase + "customer-not-found", Title: "Customer not found", Category: "BusinessError"},
	customer.EKYCNOTCONFIGURED:     {status: 404, Type: typeBase + "not-found", Title: "Not found", Category: "BusinessError"},
	customer.EAMBIGUOUS:            {status: 409, Type: typeBase + "ambiguous", Title: "Several customers match", Category: "BusinessError"},
	customer.ECUSTOMEREXISTS:       {status: 409, Type: typeBase + "customer-exists", Title: "Customer already exists", Category: "BusinessError"},
	customer.EBILLINGEXISTS:        {status: 409, Type: typeBase + "conflict", Title: "Conflict", Category: "BusinessError"},
	customer.EKYCCONFIGURATION:     {status: 409, Type: typeBase + "conflict", Title: "Conflict", Category: "BusinessError"},
	customer.ECONFLICT:             {status: 409, Type: typeBase + "conflict", Title: "Request in progress", Category: "TechnicalError"},
	customer.EPRECONDITION:         {status: 412, Type: typeBase + "precondition-failed", Title: "Precondition failed", Category: "BusinessError"},
	customer.EPRECONDITIONREQUIRED: {status: 428, Type: typeBase + "precondition-required", Title: "Precondition required", Category: "BusinessError"},
	customer.EUNSUPPORTEDMEDIA:     {status: 415, Type: typeBase + "validation", Title: "Invalid request", Category: "BusinessError"},
	customer.ETOOLARGE:             {status: 413, Type: typeBase + "validation", Title: "Invalid request", Category: "BusinessError"},
	customer.EMETHODNOTALLOWED:     {status: 405, Type: typeBase + "method-not-allowed", Title: "Method not allowed", Category: "TechnicalError"},
	customer.EIDEMPOTENCYREUSE:     {status: 422, Type: typeBase + "idempotency-key-reuse", Title: "Idempotency-Key reused", Category: "BusinessError"},
	customer.ETOOMANYREQUESTS:      {status: 429, Type: typeBase + "too-many-requests", Title: "Too many requests", Category: "TechnicalError"},
	customer.EUNAVAILABLE:          {status: 503, Type: typeBase + "unavailable", Title: "Service unavailable", Category: "TechnicalError"},
	customer.EREGISTERUNAVAILABLE:  {status: 503, Type: typeBase + "unavailable", Title: "Service unavailable", Category: "TechnicalError"},
	customer.EINTERNAL:             {status: 500, Type: typeBase + "internal", Title: "Internal error", Category: "TechnicalError"},
}

// fieldNames are Riverty's names of the fields of domain problems that a
// Riverty request can cause: its own customerNumber, and the headers and
// body the pipeline reads. Any other field is of the native representation,
// which the client never sent.
var fieldNames = map[string]string{"customerNo": "customerNumber", "Idempotency-Key": "Idempotency-Key", "body": "body"}

// fail writes err: the dialect's own errors as they are, domain errors
// through the table. Internal errors are logged, never shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		code, t := errorTable.Find(err)
		t.Details = customer.ErrorMessage(err)
		switch code {
		case customer.EINTERNAL:
			h.log.ErrorContext(r.Context(), "riverty", slog.String("error", err.Error()))
			t.Details = "An unexpected error occurred."
		case customer.ENOTFOUND, customer.ECUSTOMERNOTFOUND, customer.ECUSTOMERERASED, customer.EPERSONNOTFOUND, customer.EPERSONDECEASED:
			t.Details = errNotFound().(*apiError).Details
		case customer.EVALIDATION:
			// Only fields Riverty has are named: a register entry the
			// domain refuses is about the native representation, which
			// the client never sent.
			t.Details = "The request cannot be served."
			for _, p := range customer.ErrorProblems(err) {
				if name, ok := fieldNames[p.Field]; ok {
					t.Details += " " + name + ": " + p.Message + "."
				} else {
					t.Details = "The population register's entry for this person cannot become a customer."
				}
			}
		case customer.ETOOLARGE:
			t.Details = "The body is too large."
		}
		e = &t
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

func errNotFound() error {
	return businessError(http.StatusNotFound, "customer-not-found", "Customer not found", "No customer was found with the lookup value.")
}
