package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// ProblemBase prefixes every problem type of the native API.
const ProblemBase = "ledger/customer/v1/problems/"

// codes maps each domain error code to its HTTP status and title: the one
// table of the API.
var codes = edge.Table[problemType]{
	customer.EVALIDATION:           {http.StatusBadRequest, "The request is not valid."},
	customer.EUNAUTHORIZED:         {http.StatusUnauthorized, "Authentication is required."},
	customer.EFORBIDDEN:            {http.StatusForbidden, "Access to this operation is not allowed."},
	customer.ENOTFOUND:             {http.StatusNotFound, "The resource was not found."},
	customer.ECUSTOMERNOTFOUND:     {http.StatusNotFound, "The customer was not found."},
	customer.ECUSTOMERERASED:       {http.StatusGone, "The customer was erased."},
	customer.EERASEBLOCKED:         {http.StatusConflict, "The customer cannot be erased yet."},
	customer.ELEGALADDRESSNOTFOUND: {http.StatusNotFound, "The legal address does not exist."},
	customer.EBILLINGNOTFOUND:      {http.StatusNotFound, "The billing address does not exist."},
	customer.ECUSTOMEREXISTS:       {http.StatusConflict, "The customer already exists."},
	customer.EBILLINGEXISTS:        {http.StatusConflict, "The billing address already exists."},
	customer.EAMBIGUOUS:            {http.StatusConflict, "Several customers match the national identifier."},
	customer.ECONFLICT:             {http.StatusConflict, "The request conflicts with the current state."},
	customer.EPRECONDITION:         {http.StatusPreconditionFailed, "The precondition failed."},
	customer.EPRECONDITIONREQUIRED: {http.StatusPreconditionRequired, "A precondition (If-Match) is required."},
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

// problemType is the status and title of a problem type.
type problemType struct {
	status int
	title  string
}

func (p problemType) HTTPStatus() int { return p.status }

// Status returns the HTTP status of a domain error code.
func Status(code string) int { return codes.Status(code) }

// writeError writes err as application/problem+json. Internal errors are
// logged and their text never reaches the client.
//
// When the client went away, nothing is written but the status
// edge.StatusClientClosedRequest: the error is most likely that very departure
// (a canceled store call, a failed write), and no one is left to read it.
//
// A method Kund serves nowhere is method-not-allowed with 501 Not
// Implemented (RFC 9110, 15.6.2) rather than 405, which says the method
// works on other resources.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if edge.ClientGone(r, err) {
		w.WriteHeader(edge.StatusClientClosedRequest)
		return
	}
	code := customer.ErrorCode(err)
	_, c := codes.Find(err)
	if code == customer.EINTERNAL {
		s.log.ErrorContext(r.Context(), "internal error", slog.String("request_id", requestID(w)),
			slog.String("route", r.Pattern), slog.String("error", err.Error()))
	}
	if code == customer.EMETHODNOTALLOWED && methodLabel(r.Method) == methodOther {
		c.status = http.StatusNotImplemented
	}
	switch c.status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="kund"`)
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "1")
		}
	}
	w.Header()["Cache-Control"] = headerNoStore
	b := getBody()
	defer putBody(b)
	b.b = appendProblem(b.b, code, c.title, c.status, customer.ErrorMessage(err), requestID(w), customer.ErrorProblems(err))
	b.b = append(b.b, '\n')
	writeBody(w, c.status, headerProblem, b.b)
}

// appendProblem appends a problem: its type (from the code), title, status,
// detail, instance (the request id), and one object per field problem
// naming the field and what is wrong with it.
func appendProblem(b []byte, code, title string, status int, detail, instance string, problems []customer.Problem) []byte {
	b = append(b, `{"type":"`+ProblemBase...)
	b = append(appendEscaped(b, code), '"')
	b = appendMember(b, "title", title)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = appendMember(b, "detail", detail)
	b = appendMember(b, "instance", instance)
	b = append(b, `,"problems":[`...)
	for i, p := range problems {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = appendString(b, p.Field)
		b = append(b, ':')
		b = appendString(b, p.Message)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}
