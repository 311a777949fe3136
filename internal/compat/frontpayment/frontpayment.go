// Package frontpayment answers Frontpayment's "customer details by uuid" in
// its own envelope, from Kund's customers: wire mapping only.
package frontpayment

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/register"
)

// Path is the route of the dialect; the customer uuid follows.
const Path = "/api/v1/connect/customers/details/"

// Handler serves the dialect.
type Handler struct {
	svc *customer.Service
	reg *register.Service
	log *slog.Logger
}

// Purpose names Frontpayment's lookups in the disclosure log.
const Purpose = "frontpayment-customer-details"

// Mount serves the dialect on the request pipeline, with native bearer
// tokens; the customer is looked up within the token's ledger only.
func Mount(e *edge.Edge, svc *customer.Service, reg *register.Service, log *slog.Logger) {
	h := &Handler{svc: svc, reg: reg, log: log}
	api := &edge.API{Name: "frontpayment", Actor: customer.ActorFrontpayment, Status: errorTable.Status, WriteError: h.fail, OtherLedger: customer.ENOTFOUND}
	e.Mount(api, edge.Route{Pattern: "GET " + Path + "{uuid}", Credential: edge.Token, Scope: customer.ScopeRead,
		Lookup: true, Handle: h.details})
}

func (h *Handler) details(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	a, err := h.reg.Identify(r.Context(), h.svc, caller.Caller, register.Question{Purpose: Purpose, UUID: r.PathValue("uuid")})
	if err != nil {
		return err
	}
	write(w, http.StatusOK, envelope{StatusCode: 200, StatusMessage: "OK", Message: "customerDetailsRetrievedSuccessfully", IsData: true, Data: represent(a.Customer)})
	return nil
}

// represent maps c to the seed's data; of a protected person only what
// customer.ForThirdParty leaves is shown, and what it withholds reads as absent
// ("" or null, as the seed types the field).
func represent(c *customer.Customer) *details {
	c = customer.ForThirdParty(c)
	d := &details{UUID: c.UUID, Name: c.Name, Email: c.Email, Status: "Active"}
	if c.LegalStatus == customer.StatusDeceased {
		d.Status = "Deceased"
	}
	d.Type = "Private"
	if c.LegalEntity == customer.Business {
		d.Type = "Corporate"
	}
	if c.MSISDN != "" {
		if cc, national, err := nordic.MSISDNParts(c.MSISDN); err == nil {
			d.CountryCode, d.MSISDN = cc, national
		}
	}
	if c.NationalID != nil {
		no := c.NationalID.RegNo
		if c.LegalEntity == customer.Business {
			d.OrganizationID = &no
		} else {
			d.PersonalNumber = &no
		}
	}
	if c.PreferredLanguage != "" {
		lang := c.PreferredLanguage
		d.PreferredLanguage = &lang
	}
	billing := &c.LegalAddress
	if c.BillingAddress != nil {
		billing = c.BillingAddress
	}
	d.Addresses.Billing = addressOf(billing)
	d.Addresses.Shipping = addressOf(&c.LegalAddress)
	return d
}

func addressOf(a *customer.Address) address {
	return address{UUID: a.UUID, Street: a.StreetAddress, Zip: a.ZipCode, City: a.City, Country: a.CountryCode}
}

// errorTable is the dialect's one table: the status of each domain error
// code. The seed shows 200, 404 and 510; the others are answered in the
// 510 envelope's shape, with their own status.
var errorTable = edge.Table[wire]{
	customer.EVALIDATION:           {400, "Bad Request"},
	customer.EUNAUTHORIZED:         {401, "Unauthorized"},
	customer.EFORBIDDEN:            {403, "Forbidden"},
	customer.ENOTFOUND:             {404, "Not Found"},
	customer.ECUSTOMERNOTFOUND:     {404, "Not Found"},
	customer.ECUSTOMERERASED:       {404, "Not Found"},
	customer.EERASEBLOCKED:         {409, "Conflict"},
	customer.EPERSONNOTFOUND:       {404, "Not Found"},
	customer.EPERSONDECEASED:       {404, "Not Found"},
	customer.ELEGALADDRESSNOTFOUND: {404, "Not Found"},
	customer.EBILLINGNOTFOUND:      {404, "Not Found"},
	customer.EKYCNOTCONFIGURED:     {404, "Not Found"},
	customer.EAMBIGUOUS:            {409, "Conflict"},
	customer.ECUSTOMEREXISTS:       {409, "Conflict"},
	customer.EBILLINGEXISTS:        {409, "Conflict"},
	customer.EKYCCONFIGURATION:     {409, "Conflict"},
	customer.ECONFLICT:             {409, "Conflict"},
	customer.EPRECONDITION:         {412, "Precondition Failed"},
	customer.EPRECONDITIONREQUIRED: {428, "Precondition Required"},
	customer.EUNSUPPORTEDMEDIA:     {415, "Unsupported Media Type"},
	customer.ETOOLARGE:             {413, "Payload Too Large"},
	customer.EMETHODNOTALLOWED:     {405, "Method Not Allowed"},
	customer.EIDEMPOTENCYREUSE:     {422, "Unprocessable Entity"},
	customer.ETOOMANYREQUESTS:      {429, "Too Many Requests"},
	customer.EUNAVAILABLE:          {503, "Service Unavailable"},
	customer.EREGISTERUNAVAILABLE:  {503, "Service Unavailable"},
	customer.EINTERNAL:             {510, "Execution Exception Occurred"},
}

// wire is the status of an answer and its envelope's status_message.
type wire struct {
	status  int
	message string
}

func (w wire) HTTPStatus() int { return w.status }

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, t := errorTable.Find(err)
	switch {
	case t.status == http.StatusNotFound:
		write(w, http.StatusNotFound, envelope{StatusCode: 404, StatusMessage: "Not Found", Message: "customerNotFound"})
	case code == customer.EINTERNAL:
		// The seed's answer for a failure on the server side; the cause
		// goes to the log only.
		h.log.ErrorContext(r.Context(), "frontpayment", slog.String("error", err.Error()))
		write(w, t.status, errorEnvelope{StatusCode: t.status, StatusMessage: t.message, Message: "Something Went Wrong", IsError: true, Errors: []string{}})
	default:
		if t.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", "Bearer")
		}
		message := map[int]string{401: "unauthenticated", 403: "forbidden"}[t.status]
		if message == "" {
			message = code
		}
		write(w, t.status, errorEnvelope{StatusCode: t.status, StatusMessage: t.message, Message: message, IsError: true, Errors: []string{customer.ErrorMessage(err)}})
	}
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
