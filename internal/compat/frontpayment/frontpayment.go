// Package frontpayment answers Frontpayment's "customer details by uuid" in
// its own envelope, from Kund's customers: wire mapping only.
package frontpayment

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/compat"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
)

// Path is the route of the dialect; the customer uuid follows.
const Path = "/api/v1/connect/customers/details/"

// Handler serves the dialect.
type Handler struct {
	svc   *customer.Service
	authn *auth.Authenticator
	log   *slog.Logger
}

// Mount registers the dialect's route with handle (the native server's
// Handle, so the request ids, logs and recovery are shared).
func Mount(handle func(string, http.Handler), svc *customer.Service, authn *auth.Authenticator, log *slog.Logger) {
	h := &Handler{svc: svc, authn: authn, log: log}
	handle("GET "+Path+"{uuid}", http.HandlerFunc(h.details))
}

type address struct {
	UUID    string `json:"uuid"`
	Street  string `json:"street"`
	Zip     string `json:"zip"`
	City    string `json:"city"`
	Country string `json:"country"`
}

type details struct {
	UUID              string  `json:"uuid"`
	Type              string  `json:"type"`
	Name              string  `json:"name"`
	CountryCode       string  `json:"countryCode"`
	MSISDN            string  `json:"msisdn"`
	OrganizationID    *string `json:"organizationId"`
	PersonalNumber    *string `json:"personalNumber"`
	Email             string  `json:"email"`
	PreferredLanguage *string `json:"preferredLanguage"`
	Status            string  `json:"status"`
	Addresses         struct {
		Billing  address `json:"billing"`
		Shipping address `json:"shipping"`
	} `json:"addresses"`
}

// envelope is the seed's success and not-found answer.
type envelope struct {
	StatusCode    int    `json:"status_code"`
	StatusMessage string `json:"status_message"`
	Message       string `json:"message"`
	IsData        bool   `json:"is_data"`
	Data          any    `json:"data"`
}

// errorEnvelope is the seed's 510 answer, also used for the statuses the
// seed leaves open (401, 403, 503).
type errorEnvelope struct {
	StatusCode    int      `json:"status_code"`
	StatusMessage string   `json:"status_message"`
	Message       string   `json:"message"`
	IsError       bool     `json:"is_error"`
	Errors        []string `json:"errors"`
}

func (h *Handler) details(w http.ResponseWriter, r *http.Request) {
	caller, err := compat.Bearer(r.Context(), h.authn, r)
	if err == nil && !caller.Can(customer.ScopeRead) {
		err = customer.Errorf(customer.EFORBIDDEN, "The token lacks the scope %q.", customer.ScopeRead)
	}
	var c *customer.Customer
	if err == nil {
		c, err = h.svc.CustomerByUUID(r.Context(), caller.LedgerNo, r.PathValue("uuid"))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, envelope{StatusCode: 200, StatusMessage: "OK", Message: "customerDetailsRetrievedSuccessfully", IsData: true, Data: represent(c)})
}

// represent maps c to the seed's data; of a protected person only what
// customer.Withheld leaves is shown, and what it withholds reads as absent
// ("" or null, as the seed types the field).
func represent(c *customer.Customer) *details {
	c = customer.Withheld(c)
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

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch customer.ErrorCode(err) {
	case customer.ECUSTOMERNOTFOUND, customer.ENOTFOUND:
		write(w, http.StatusNotFound, envelope{StatusCode: 404, StatusMessage: "Not Found", Message: "customerNotFound"})
	case customer.EUNAUTHORIZED:
		w.Header().Set("WWW-Authenticate", "Bearer")
		write(w, http.StatusUnauthorized, errorEnvelope{StatusCode: 401, StatusMessage: "Unauthorized", Message: "unauthenticated", IsError: true, Errors: []string{customer.ErrorMessage(err)}})
	case customer.EFORBIDDEN:
		write(w, http.StatusForbidden, errorEnvelope{StatusCode: 403, StatusMessage: "Forbidden", Message: "forbidden", IsError: true, Errors: []string{customer.ErrorMessage(err)}})
	default:
		// The seed's answer for a failure on the server side; the cause
		// goes to the log only.
		h.log.ErrorContext(r.Context(), "frontpayment", slog.String("error", err.Error()))
		write(w, 510, errorEnvelope{StatusCode: 510, StatusMessage: "Execution Exception Occurred", Message: "Something Went Wrong", IsError: true, Errors: []string{}})
	}
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
