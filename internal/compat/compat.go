// Package compat holds what the compatibility dialects share: reading the
// native bearer token of a request and splitting a customer's one name into
// the given and family names that providers ask for. Each dialect lives in
// its own sub-package and only translates; every rule stays in the domain.
package compat

import (
	"context"
	"net/http"
	"strings"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
)

// Bearer authenticates the native bearer token of r. Every failure is an
// EUNAUTHORIZED *customer.Error; a store failure is returned as is.
func Bearer(ctx context.Context, authn *auth.Authenticator, r *http.Request) (customer.Caller, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return customer.Caller{}, customer.Errorf(customer.EUNAUTHORIZED, "A bearer token is required.")
	}
	return authn.Authenticate(ctx, strings.TrimSpace(token))
}

// SplitName splits a person's name at its last space: Kund keeps one name,
// and in the Nordic countries the family name comes last. A name of one
// word is all given name.
func SplitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return name, ""
	}
	return strings.TrimSpace(name[:i]), name[i+1:]
}
