package register

import (
	"context"
	"strings"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
)

// Question is a third party's "who is this?": the lookup of a dialect
// (Worldline's customer details, Riverty's lookup and create, Payway's
// account candidate, Frontpayment's details by uuid). Exactly one of
// RegNo, MSISDN, UUID or CustomerNo names whom it is about; CustomerNo and
// ZipCode may also narrow a lookup by RegNo or MSISDN.
type Question struct {
	Purpose    string // names the lookup in the disclosure log
	Country    string // the country of RegNo
	RegNo      string // a canonical identity number
	MSISDN     string // an E.164 phone number
	UUID       string // a customer's uuid
	CustomerNo string
	ZipCode    string // of the legal address
	// Register asks the population register when no customer of the
	// ledger matches a personal identity number or phone number.
	Register bool
	// Create makes a consumer customer of the person the register knows;
	// it needs the scopes customers:write and register.
	Create bool
}

// Answer is whom a lookup found: a customer of the ledger (Created when
// the lookup made it from the register), or a person only the register
// knows.
type Answer struct {
	Customer *customer.Customer
	Created  bool
	Person   *Person
}

// Identify answers a question for caller, by the one rule every API
// follows: when any customer of the ledger carrying the number asked about
// is under protected identity or deceased, or the register says the person
// is, nobody is found (ECUSTOMERNOTFOUND), and the register is never asked
// in the ledger's stead. Several matches are EAMBIGUOUS. Every lookup,
// found or not, is written to the disclosure log before it is answered.
// opts vary the write of a customer Identify creates (customer.Completing).
func (s *Service) Identify(ctx context.Context, customers *customer.Service, caller customer.Caller, q Question, opts ...customer.WriteOption) (*Answer, error) {
	l, err := customers.Ledger(ctx, caller.LedgerNo)
	if err != nil {
		return nil, err
	}
	subject := s.subject(caller.LedgerNo, q)
	found, err := s.ledgerCustomers(ctx, customers, caller.LedgerNo, q)
	if err != nil {
		return nil, err
	}
	logged := func(outcome string) error {
		return s.write(ctx, &Lookup{LedgerNo: caller.LedgerNo, TokenID: caller.TokenID, SubjectHash: subject, Purpose: q.Purpose,
			Source: SourceCustomers, Outcome: outcome, At: s.now().UTC().Truncate(time.Microsecond)})
	}
	if q.UUID == "" && customer.AnyWithheld(found) {
		// A uuid is Kund's own name for a customer that the asker was
		// given, not a person's number to try: its answer shows the
		// customer, with what a withheld person hides left out
		// (customer.ForThirdParty).
		return nil, notFound(logged(OutcomeWithheld))
	}
	var match []*customer.Customer
	for _, c := range found {
		if (q.CustomerNo == "" || c.No == q.CustomerNo) && (q.ZipCode == "" || strings.EqualFold(c.LegalAddress.ZipCode, q.ZipCode)) {
			match = append(match, c)
		}
	}
	switch {
	case len(match) == 1:
		if err := logged(OutcomeFound); err != nil {
			return nil, err
		}
		return &Answer{Customer: match[0]}, nil
	case len(match) > 1:
		if err := logged(OutcomeAmbiguous); err != nil {
			return nil, err
		}
		return nil, customer.Errorf(customer.EAMBIGUOUS, "Several customers match the lookup.")
	case len(found) > 0 || !s.mayAsk(caller, q):
		return nil, notFound(logged(OutcomeNotFound))
	}
	if q.Create && l.CustomerNumbers == customer.NumbersClient && q.CustomerNo == "" {
		// Refused before anyone is asked: the lookup could not succeed.
		return nil, customer.ValidationError("customerNo", "is required to create a customer: this ledger's customers are numbered by its client")
	}
	var p *Person
	if q.RegNo != "" {
		p, err = s.provider.Lookup(ctx, q.Country, q.RegNo)
	} else {
		p, err = s.provider.LookupPhone(ctx, q.MSISDN)
	}
	p, err = s.record(ctx, caller, q.Purpose, subject, p, err, true)
	switch {
	case customer.ErrorCode(err) == customer.EPERSONNOTFOUND:
		return nil, customer.Errorf(customer.ECUSTOMERNOTFOUND, "No customer was found.")
	case customer.ErrorCode(err) == customer.EREGISTERUNAVAILABLE:
		return nil, customer.Errorf(customer.EUNAVAILABLE, "The population register is unavailable; try again.")
	case err != nil:
		return nil, err
	case !q.Create:
		return &Answer{Person: p}, nil
	case p.Country != l.Country:
		// A ledger's consumers are of its country.
		return nil, customer.Errorf(customer.ECUSTOMERNOTFOUND, "No customer was found.")
	}
	in := &customer.GenerateRequest{MSISDN: p.Phone}
	if l.CustomerNumbers == customer.NumbersClient {
		in.CustomerNo = q.CustomerNo
	}
	c, err := customers.GenerateFromRegister(ctx, caller.LedgerNo, in, &customer.NationalID{RegNo: p.RegNo, CountryCode: p.Country}, Entry(p), opts...)
	if err != nil {
		return nil, err
	}
	return &Answer{Customer: c, Created: true}, nil
}

// mayAsk reports whether a question that no customer answered goes on to
// the register: only about a person (a personal identity number or a
// phone), only when the question says so, and, to create a customer, only
// for a caller that may both write customers and ask the register.
func (s *Service) mayAsk(caller customer.Caller, q Question) bool {
	switch {
	case !q.Register:
		return false
	case q.RegNo != "":
		if _, kind, err := nordic.ParseIdentity(q.Country, q.RegNo, s.now()); err != nil || kind != nordic.Person {
			return false
		}
	case q.MSISDN == "":
		return false
	}
	return !q.Create || (caller.Can(customer.ScopeWrite) && caller.Can(customer.ScopeRegister))
}

// ledgerCustomers are the ledger's customers the question names, withheld
// ones included.
func (s *Service) ledgerCustomers(ctx context.Context, customers *customer.Service, ledgerNo string, q Question) ([]*customer.Customer, error) {
	var one *customer.Customer
	var err error
	switch {
	case q.RegNo != "":
		return customers.CustomersByNationalID(ctx, ledgerNo, customer.NationalID{RegNo: q.RegNo, CountryCode: q.Country})
	case q.MSISDN != "":
		return customers.CustomersByMSISDN(ctx, ledgerNo, q.MSISDN)
	case q.UUID != "":
		one, err = customers.CustomerByUUID(ctx, ledgerNo, q.UUID)
	default:
		one, err = customers.Customer(ctx, ledgerNo, q.CustomerNo)
	}
	if customer.ErrorCode(err) == customer.ECUSTOMERNOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return []*customer.Customer{one}, nil
}

// subject is what the disclosure log records a question to be about.
func (s *Service) subject(ledgerNo string, q Question) string {
	switch {
	case q.RegNo != "":
		return s.Subject(ledgerNo, q.Country, q.RegNo)
	case q.MSISDN != "":
		return s.Subject(ledgerNo, "phone", q.MSISDN)
	case q.UUID != "":
		return s.Subject(ledgerNo, "uuid", q.UUID)
	}
	return s.Subject(ledgerNo, "customer", q.CustomerNo)
}

// notFound is the answer of a lookup that found nobody, once it is logged.
func notFound(logErr error) error {
	if logErr != nil {
		return logErr
	}
	return customer.Errorf(customer.ECUSTOMERNOTFOUND, "No customer was found.")
}
