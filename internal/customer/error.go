package customer

import (
	"errors"
	"fmt"
)

// Error codes. Each is exactly a problem type of the native API
// ("ledger/customer/v1/problems/<code>"); the HTTP layer owns the one table
// from code to status.
const (
	EVALIDATION           = "validation"
	EUNAUTHORIZED         = "unauthorized"
	EFORBIDDEN            = "forbidden"
	ENOTFOUND             = "not-found"
	ECUSTOMERNOTFOUND     = "customer-not-found"
	ELEGALADDRESSNOTFOUND = "legal-address-does-not-exists"
	EBILLINGNOTFOUND      = "billing-address-does-not-exists"
	ECUSTOMEREXISTS       = "customer-already-exists"
	EBILLINGEXISTS        = "billing-address-already-exists"
	EAMBIGUOUS            = "ambiguous-national-identifier"
	ECONFLICT             = "conflict"
	EPRECONDITION         = "precondition-failed"
	EPRECONDITIONREQUIRED = "precondition-required"
	EUNSUPPORTEDMEDIA     = "unsupported-media-type"
	ETOOLARGE             = "payload-too-large"
	EMETHODNOTALLOWED     = "method-not-allowed"
	ETOOMANYREQUESTS      = "too-many-requests"
	EUNAVAILABLE          = "service-unavailable"
	EINTERNAL             = "fatal"
	EKYCCONFIGURATION     = "kyc-configuration"
	EKYCNOTCONFIGURED     = "company-kyc-questions-not-configured"
	EIDEMPOTENCYREUSE     = "idempotency-key-reuse"
	ECUSTOMERERASED       = "customer-erased"
	EERASEBLOCKED         = "erase-blocked"
)

// Codes lists every error code of the domain, so that a test can walk each
// API's table through all of them.
func Codes() []string {
	return []string{EVALIDATION, EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, ECUSTOMERNOTFOUND, ELEGALADDRESSNOTFOUND,
		EBILLINGNOTFOUND, ECUSTOMEREXISTS, EBILLINGEXISTS, EAMBIGUOUS, ECONFLICT, EPRECONDITION, EPRECONDITIONREQUIRED,
		EUNSUPPORTEDMEDIA, ETOOLARGE, EMETHODNOTALLOWED, ETOOMANYREQUESTS, EUNAVAILABLE, EINTERNAL, EKYCCONFIGURATION,
		EKYCNOTCONFIGURED, EIDEMPOTENCYREUSE, ECUSTOMERERASED, EERASEBLOCKED, EPERSONNOTFOUND, EPERSONDECEASED, EREGISTERUNAVAILABLE}
}

// Problem names one bad field of a request and says what is wrong with it.
// Field is the property path as the client sent it ("legalAddress.zipCode").
type Problem struct {
	Field   string
	Message string
}

// Error is the domain's one error type. Message is safe to show to the
// caller; anything that is not an *Error is internal and never shown.
type Error struct {
	Code     string
	Message  string
	Problems []Problem
}

func (e *Error) Error() string {
	return fmt.Sprintf("customer error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for anything that is not an
// *Error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorProblems returns the field problems of err, if any.
func ErrorProblems(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

// Problems collects field problems while a request is validated.
type Problems struct {
	list []Problem
}

// Add records a problem with field.
func (p *Problems) Add(field, message string) {
	p.list = append(p.list, Problem{Field: field, Message: message})
}

// Addf records a problem with a formatted message.
func (p *Problems) Addf(field, format string, args ...any) {
	p.Add(field, fmt.Sprintf(format, args...))
}

// Has reports whether field already has a problem.
func (p *Problems) Has(field string) bool {
	for _, pr := range p.list {
		if pr.Field == field {
			return true
		}
	}
	return false
}

// Len is the number of problems recorded.
func (p *Problems) Len() int { return len(p.list) }

// Err returns a validation *Error holding every problem, or nil when there
// are none.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &Error{Code: EVALIDATION, Message: "The request is not valid.", Problems: p.list}
}

// ValidationError is a validation *Error about one field.
func ValidationError(field, message string) *Error {
	return &Error{Code: EVALIDATION, Message: "The request is not valid.", Problems: []Problem{{Field: field, Message: message}}}
}
