package customer

import (
	"context"
	"strings"
	"time"

	"github.com/kund/kund/internal/nordic"
)

// Error codes of the population-register operations.
const (
	EPERSONNOTFOUND      = "person-not-found"
	EPERSONDECEASED      = "person-deceased"
	EREGISTERUNAVAILABLE = "population-register-unavailable"
)

// RelUpdateFromRegister is the legal address's operation that replaces it
// from the population register (scope register).
const RelUpdateFromRegister = "update-legal-address-from-population-register"

// GenerateRequest is the body of generate-consumer-customer-by-reg-no:
// everything but the name and the legal address, which the register gives.
type GenerateRequest struct {
	CustomerNo string
	NationalID *NationalIDInput
	Email      string
	MSISDN     string
}

// RegisterEntry is what the population register says about a person, as
// the domain uses it.
type RegisterEntry struct {
	Name              string
	Address           AddressInput
	ProtectedIdentity bool
	Deceased          bool
}

// CheckGenerateRequest validates a generate request before the register is
// asked, so that a request that cannot succeed discloses nothing. It
// returns the canonical personal identity number.
func (s *Service) CheckGenerateRequest(ctx context.Context, ledgerNo string, in *GenerateRequest) (*NationalID, error) {
	l, err := s.Ledger(ctx, ledgerNo)
	if err != nil {
		return nil, err
	}
	var p Problems
	no := strings.TrimSpace(in.CustomerNo)
	switch {
	case l.CustomerNumbers == NumbersGenerated && no != "":
		p.Add("customerNo", "must not be sent: this ledger generates customer numbers")
	case l.CustomerNumbers != NumbersGenerated:
		if msg := CheckCustomerNo(no); msg != "" {
			p.Add("customerNo", msg)
		}
	}
	id := personalID(&p, in.NationalID, s.Now())
	email(&p, "emailAddress", in.Email)
	msisdn(&p, "msisdn", in.MSISDN)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return id, nil
}

// personalID checks that a nationalIdentifier is a personal identity number
// of a country whose population register Kund can ask.
func personalID(p *Problems, in *NationalIDInput, now time.Time) *NationalID {
	if in == nil {
		p.Add("nationalIdentifier", "is required")
		return nil
	}
	id, kind := validateNationalID(p, "nationalIdentifier", in, now)
	switch {
	case id == nil:
	case !nordic.IdentityCountry(id.CountryCode):
		p.Add("nationalIdentifier.countryCode", "must be SE, NO, DK or FI: the population registers of those countries")
		id = nil
	case kind != nordic.Person:
		p.Add("nationalIdentifier.regNo", "must be a personal identity number: organisations are not in the population register")
		id = nil
	}
	return id
}

// GenerateFromRegister creates a consumer customer from a register entry
// found for id. The register's name and address are taken as they are; a
// person under protected identity gets protectedIdentity and nothing but the
// address the register gives out for them.
func (s *Service) GenerateFromRegister(ctx context.Context, ledgerNo string, in *GenerateRequest, id *NationalID, e *RegisterEntry, opts ...WriteOption) (*Customer, error) {
	if e.Deceased {
		return nil, Errorf(EPERSONDECEASED, "The population register records the person as deceased.")
	}
	name := clip(e.Name, 72)
	addr := e.Address
	addr.Addressee = name
	nc := &NewCustomer{
		CustomerNo:        in.CustomerNo,
		NationalID:        &NationalIDInput{RegNo: id.RegNo, CountryCode: id.CountryCode},
		LegalEntity:       Consumer,
		Name:              name,
		Email:             in.Email,
		MSISDN:            in.MSISDN,
		ProtectedIdentity: e.ProtectedIdentity,
		LegalAddress:      &addr,
		fromRegister:      true,
	}
	return s.CreateCustomer(ctx, ledgerNo, nc, opts...)
}

// RegisterSubject returns a customer whose legal address may be updated
// from the register: a consumer with a Nordic personal identity number.
func (s *Service) RegisterSubject(ctx context.Context, ledgerNo, no string) (*Customer, error) {
	c, err := s.Customer(ctx, ledgerNo, no)
	if err != nil {
		return nil, err
	}
	if c.LegalEntity != Consumer || c.NationalID == nil || !nordic.IdentityCountry(c.NationalID.CountryCode) {
		return nil, Errorf(ECONFLICT, "Only a consumer with a Nordic personal identity number can be updated from the population register.")
	}
	return c, nil
}

// SetLegalAddressFromRegister replaces the legal address with the
// register's. The register is asked outside any transaction, so the update
// checks that the customer still carries the identity number that was
// looked up. Protection is only ever switched on here, never off: lifting
// it is a decision for the ledger, not a side effect of an address update.
func (s *Service) SetLegalAddressFromRegister(ctx context.Context, ledgerNo, no string, id NationalID, e *RegisterEntry, ifMatch string) (*Customer, error) {
	if e.Deceased {
		return nil, Errorf(EPERSONDECEASED, "The population register records the person as deceased.")
	}
	in := e.Address
	in.Addressee = clip(e.Name, 72)
	a, err := in.Validate()
	if err != nil {
		return nil, Errorf(EREGISTERUNAVAILABLE, "The population register answered with an address Kund cannot store.")
	}
	now := s.Now()
	return s.update(ctx, ledgerNo, no, ifMatch, func(c *Customer) error {
		if c.NationalID == nil || *c.NationalID != id {
			return Errorf(ECONFLICT, "The customer's national identifier changed during the register lookup; try again.")
		}
		a.UUID = c.LegalAddress.UUID
		c.LegalAddress = a
		c.LegalSource, c.LegalConfirmedAt = SourceRegister, now
		if e.ProtectedIdentity {
			c.ProtectedIdentity = true
		}
		return nil
	})
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n]))
}
