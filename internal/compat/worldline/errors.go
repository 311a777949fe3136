package worldline

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
)

// apiError is one error of Worldline's ErrorResponse.
type apiError struct {
	Category       string `json:"category"`
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	ID             string `json:"id"`
	Message        string `json:"message"`
	PropertyName   string `json:"propertyName,omitempty"`
	RequestID      string `json:"requestId"`
}

func (e *apiError) Error() string { return e.ID + ": " + e.Message }

type errorResponse struct {
	ErrorID string      `json:"errorId"`
	Errors  []*apiError `json:"errors"`
}

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

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		switch customer.ErrorCode(err) {
		case customer.EUNAUTHORIZED:
			e = newError(http.StatusUnauthorized, "9002", "MISSING_OR_INVALID_AUTHORIZATION", customer.ErrorMessage(err), "")
		case customer.EFORBIDDEN:
			e = newError(http.StatusForbidden, "9007", "ACCESS_TO_MERCHANT_NOT_ALLOWED", customer.ErrorMessage(err), "")
		case customer.EVALIDATION:
			// Only the Idempotency-Key and the body read under it reach
			// here; the lookup's own checks make Worldline errors.
			property, message := "", customer.ErrorMessage(err)
			if ps := customer.ErrorProblems(err); len(ps) > 0 {
				property, message = ps[0].Field, ps[0].Field+" "+ps[0].Message+"."
			}
			e = newError(http.StatusBadRequest, "21000120", "INVALID_VALUE", message, property)
		case customer.EIDEMPOTENCYREUSE:
			e = newError(http.StatusUnprocessableEntity, "1422", "IDEMPOTENCY_KEY_REUSED", customer.ErrorMessage(err), "Idempotency-Key")
		case customer.ECONFLICT:
			e = newError(http.StatusConflict, "1409", "DUPLICATE_REQUEST_IN_PROGRESS", customer.ErrorMessage(err), "")
		case customer.ETOOLARGE:
			e = newError(http.StatusRequestEntityTooLarge, "21000120", "REQUEST_TOO_LARGE", customer.ErrorMessage(err), "")
		case customer.EUNAVAILABLE:
			e = newError(http.StatusServiceUnavailable, "1001", "SERVICE_UNAVAILABLE", customer.ErrorMessage(err), "")
			e.Category = "IO_ERROR"
		default:
			h.log.ErrorContext(r.Context(), "worldline", slog.String("error", err.Error()))
			e = newError(http.StatusInternalServerError, "9999", "UNKNOWN_SERVER_ERROR", "An unexpected error occurred.", "")
			e.Category = "IO_ERROR"
		}
	}
	e.RequestID = w.Header().Get("Request-Id")
	if e.RequestID == "" {
		e.RequestID = auth.RandomHex(8)
	}
	write(w, e.HTTPStatusCode, errorResponse{ErrorID: e.RequestID + "-" + auth.RandomHex(4), Errors: []*apiError{e}})
}
