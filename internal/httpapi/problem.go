package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/kund/kund/internal/customer"
)

// ProblemBase prefixes every problem type of the native API.
const ProblemBase = "ledger/customer/v1/problems/"

// codes maps each domain error code to its HTTP status and title: the one
// table of the API.
var codes = map[string]struct {
	status int
	title  string
}{
	customer.EVALIDATION:           {http.StatusBadRequest, "The request is not valid."},
	customer.EUNAUTHORIZED:         {http.StatusUnauthorized, "Authentication is required."},
	customer.EFORBIDDEN:            {http.StatusForbidden, "Access to this operation is not allowed."},
	customer.ENOTFOUND:             {http.StatusNotFound, "The resource was not found."},
	customer.ECUSTOMERNOTFOUND:     {http.StatusNotFound, "The customer was not found."},
	customer.ELEGALADDRESSNOTFOUND: {http.StatusNotFound, "The legal address does not exist."},
	customer.EBILLINGNOTFOUND:      {http.StatusNotFound, "The billing address does not exist."},
	customer.ECUSTOMEREXISTS:       {http.StatusConflict, "The customer already exists."},
	customer.EBILLINGEXISTS:        {http.StatusConflict, "The billing address already exists."},
	customer.EAMBIGUOUS:            {http.StatusConflict, "Several customers match the national identifier."},
	customer.ECONFLICT:             {http.StatusConflict, "The request conflicts with the current state."},
	customer.EPRECONDITION:         {http.StatusPreconditionFailed, "The precondition failed."},
	customer.EUNSUPPORTEDMEDIA:     {http.StatusUnsupportedMediaType, "The content type is not supported."},
	customer.ETOOLARGE:             {http.StatusRequestEntityTooLarge, "The request body is too large."},
	customer.EMETHODNOTALLOWED:     {http.StatusMethodNotAllowed, "The method is not allowed on this resource."},
	customer.ETOOMANYREQUESTS:      {http.StatusTooManyRequests, "Too many requests."},
	customer.EUNAVAILABLE:          {http.StatusServiceUnavailable, "The service is unavailable."},
	customer.EINTERNAL:             {http.StatusInternalServerError, "An unexpected error occurred."},
	customer.EKYCCONFIGURATION:     {http.StatusConflict, "The ledger is not configured for KYC."},
	customer.EKYCNOTCONFIGURED:     {http.StatusNotFound, "The ledger has no KYC questions."},
	customer.EPERSONNOTFOUND:       {http.StatusNotFound, "The person is not in the population register."},
	customer.EPERSONDECEASED:       {http.StatusUnprocessableEntity, "The person is deceased according to the population register."},
	customer.EREGISTERUNAVAILABLE:  {http.StatusServiceUnavailable, "The population register is unavailable."},
	customer.EIDEMPOTENCYREUSE:     {http.StatusUnprocessableEntity, "The Idempotency-Key was used for another request."},
}

// Status returns the HTTP status of a domain error code.
func Status(code string) int {
	if c, ok := codes[code]; ok {
		return c.status
	}
	return http.StatusInternalServerError
}

type problemBody struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Instance string              `json:"instance"`
	Problems []map[string]string `json:"problems"`
}

// writeError writes err as application/problem+json. Internal errors are
// logged and their text never reaches the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := customer.ErrorCode(err)
	if code == customer.EINTERNAL {
		s.log.ErrorContext(r.Context(), "internal error", slog.String("request_id", requestID(r.Context())),
			slog.String("route", r.Pattern), slog.String("error", err.Error()))
	}
	c, ok := codes[code]
	if !ok {
		c = codes[customer.EINTERNAL]
	}
	body := problemBody{
		Type:     ProblemBase + code,
		Title:    c.title,
		Status:   c.status,
		Detail:   customer.ErrorMessage(err),
		Instance: requestID(r.Context()),
		Problems: []map[string]string{},
	}
	for _, p := range customer.ErrorProblems(err) {
		body.Problems = append(body.Problems, map[string]string{p.Field: p.Message})
	}
	switch c.status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="kund"`)
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "1")
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(c.status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(body)
}
