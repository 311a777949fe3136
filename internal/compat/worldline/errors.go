package worldline

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

func newError(status int, code, id, message, property string) *apiError {
	return &apiError{Category: "CONNECT_PLATFORM_ERROR", Code: code, HTTPStatusCode: status, ID: id, Message: message, PropertyName: property}
}

func errNotFound() error {
	return newError(http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", "No customer details could be found with the provided data.", "")
}

func errUnknownProduct() error {
	return newError(http.StatusNotFound, "1070", "UNKNOWN_PAYMENT_PRODUCT_ID", "UNKNOWN_PAYMENT_PRODUCT_ID", "productId")
}

func errMissing(property string) error {
	return newError(http.StatusBadRequest, "21000020", "PARAMETER_NOT_FOUND_IN_REQUEST", "A required value is missing: "+property+".", property)
}

func errInvalid(property string) error {
	return newError(http.StatusBadRequest, "21000120", "INVALID_VALUE", "The value is not valid: "+property+".", property)
}

func errBadRequest(property, message string) error {
	return newError(http.StatusBadRequest, "21000120", "INVALID_VALUE", message, property)
}

// wire is how the dialect answers a domain error code.
type wire struct {
	status   int
	code, id string
	category string // "" is CONNECT_PLATFORM_ERROR
}

func (w wire) HTTPStatus() int { return w.status }

// errorTable is the dialect's one table from domain error code to its
// error. The seed names 9002, 9007, 1214 and 1070; the other codes are
// Kund's, in Worldline's shape (docs/compatibility.md).
var errorTable = edge.Table[wire]{
	customer.EVALIDATION:           {http.StatusBadRequest, "21000120", "INVALID_VALUE", ""},
	customer.EUNAUTHORIZED:         {http.StatusUnauthorized, "9002", "MISSING_OR_INVALID_AUTHORIZATION", ""},
	customer.EFORBIDDEN:            {http.StatusForbidden, "9007", "ACCESS_TO_MERCHANT_NOT_ALLOWED", ""},
	customer.ENOTFOUND:             {http.StatusNotFound, "21000040", "RESOURCE_NOT_FOUND", ""},
	customer.ECUSTOMERNOTFOUND:     {http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", ""},
	customer.ECUSTOMERERASED:       {http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", ""},
	customer.EERASEBLOCKED:         {http.StatusConflict, "1409", "CONFLICT", ""},
	customer.EPERSONNOTFOUND:       {http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", ""},
	customer.EPERSONDECEASED:       {http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", ""},
	customer.EAMBIGUOUS:            {http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", ""},
	customer.ELEGALADDRESSNOTFOUND: {http.StatusNotFound, "21000040", "RESOURCE_NOT_FOUND", ""},
	customer.EBILLINGNOTFOUND:      {http.StatusNotFound, "21000040", "RESOURCE_NOT_FOUND", ""},
	customer.EKYCNOTCONFIGURED:     {http.StatusNotFound, "21000040", "RESOURCE_NOT_FOUND", ""},
	customer.ECUSTOMEREXISTS:       {http.StatusConflict, "21000090", "CONFLICT", ""},
	customer.EBILLINGEXISTS:        {http.StatusConflict, "21000090", "CONFLICT", ""},
	customer.EKYCCONFIGURATION:     {http.StatusConflict, "21000090", "CONFLICT", ""},
	customer.ECONFLICT:             {http.StatusConflict, "1409", "DUPLICATE_REQUEST_IN_PROGRESS", ""},
	customer.EPRECONDITION:         {http.StatusPreconditionFailed, "21000120", "INVALID_VALUE", ""},
	customer.EPRECONDITIONREQUIRED: {http.StatusPreconditionRequired, "21000120", "INVALID_VALUE", ""},
	customer.EUNSUPPORTEDMEDIA:     {http.StatusUnsupportedMediaType, "21000120", "INVALID_VALUE", ""},
	customer.ETOOLARGE:             {http.StatusRequestEntityTooLarge, "21000120", "REQUEST_TOO_LARGE", ""},
	customer.EMETHODNOTALLOWED:     {http.StatusMethodNotAllowed, "21000050", "METHOD_NOT_ALLOWED", ""},
	customer.EIDEMPOTENCYREUSE:     {http.StatusUnprocessableEntity, "1422", "IDEMPOTENCY_KEY_REUSED", ""},
	customer.ETOOMANYREQUESTS:      {http.StatusTooManyRequests, "21000070", "TOO_MANY_REQUESTS", ""},
	customer.EUNAVAILABLE:          {http.StatusServiceUnavailable, "1001", "SERVICE_UNAVAILABLE", "IO_ERROR"},
	customer.EREGISTERUNAVAILABLE:  {http.StatusServiceUnavailable, "1001", "SERVICE_UNAVAILABLE", "IO_ERROR"},
	customer.EINTERNAL:             {http.StatusInternalServerError, "9999", "UNKNOWN_SERVER_ERROR", "IO_ERROR"},
}

// fail writes err: the dialect's own errors as they are, domain errors
// through the table. Internal errors are logged, never shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		code, t := errorTable.Find(err)
		message, property := customer.ErrorMessage(err), ""
		switch code {
		case customer.EINTERNAL:
			h.log.ErrorContext(r.Context(), "worldline", slog.String("error", err.Error()))
			message = "An unexpected error occurred."
		case customer.EVALIDATION:
			// The Idempotency-Key and the body read under it; the
			// lookup's own checks make Worldline errors.
			if ps := customer.ErrorProblems(err); len(ps) > 0 {
				property, message = ps[0].Field, ps[0].Field+" "+ps[0].Message+"."
			}
		case customer.EIDEMPOTENCYREUSE:
			property = "Idempotency-Key"
		case customer.ECUSTOMERNOTFOUND, customer.ECUSTOMERERASED, customer.EPERSONNOTFOUND, customer.EPERSONDECEASED, customer.EAMBIGUOUS:
			message = errNotFound().(*apiError).Message
		}
		e = newError(t.status, t.code, t.id, message, property)
		if t.category != "" {
			e.Category = t.category
		}
	}
	e.RequestID = w.Header().Get("Request-Id")
	if e.RequestID == "" {
		e.RequestID = auth.RandomHex(8)
	}
	write(w, e.HTTPStatusCode, errorResponse{ErrorID: e.RequestID + "-" + auth.RandomHex(4), Errors: []*apiError{e}})
}
