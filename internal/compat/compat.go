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
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/register"
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

// RegisterPerson translates the register service's answer to a
// dialect's lookup (the service has already written the disclosure log).
// A person under protected identity is never disclosed, so the register's
// answer for one is "not found", as it is for a deceased person, who
// cannot become a customer; a register that cannot answer is EUNAVAILABLE.
func RegisterPerson(p *register.Person, err error) (*register.Person, error) {
	switch {
	case customer.ErrorCode(err) == customer.EPERSONNOTFOUND, err == nil && (p.ProtectedIdentity || p.Deceased):
		return nil, customer.Errorf(customer.ECUSTOMERNOTFOUND, "No customer was found.")
	case customer.ErrorCode(err) == customer.EREGISTERUNAVAILABLE:
		return nil, customer.Errorf(customer.EUNAVAILABLE, "The population register is unavailable; try again.")
	case err != nil:
		return nil, err
	}
	return p, nil
}

// CreateFromRegister makes a consumer customer of a ledger from what the
// register says about p, through the domain's own create (so every rule
// of a new customer applies). customerNo is empty on a ledger that
// generates its numbers.
func CreateFromRegister(ctx context.Context, svc *customer.Service, ledgerNo, customerNo string, p *register.Person) (*customer.Customer, error) {
	in := &customer.NewCustomer{
		CustomerNo:  customerNo,
		NationalID:  &customer.NationalIDInput{RegNo: p.RegNo, CountryCode: p.Country},
		LegalEntity: customer.Consumer,
		Name:        p.Name(),
		MSISDN:      p.Phone,
		LegalAddress: &customer.AddressInput{
			Addressee:     p.Name(),
			StreetAddress: p.Address.StreetAddress,
			CoAddress:     p.Address.CoAddress,
			ZipCode:       p.Address.ZipCode,
			City:          p.Address.City,
			CountryCode:   p.Address.CountryCode,
		},
	}
	return svc.CreateCustomer(ctx, ledgerNo, in)
}

// NationalPhone writes an E.164 number as it is dialled inside its
// country: the national part, with the trunk 0 that Sweden and Finland
// write in front of it. An invalid number gives "".
func NationalPhone(msisdn string) string {
	cc, national, err := nordic.MSISDNParts(msisdn)
	if err != nil {
		return ""
	}
	if cc == "+46" || cc == "+358" {
		national = "0" + national
	}
	return national
}
