package customer

import "context"

// Lookups for the compatibility dialects. A dialect's lookup answers a
// third party's question "who is this?", so a person under protected
// identity is never part of its answer: such a customer is treated as not
// found.

// MaxLookup bounds the customers a lookup returns.
const MaxLookup = 10

// Disclosable reports whether a lookup may show c.
func Disclosable(c *Customer) bool { return !c.ProtectedIdentity }

func disclosable(cs []*Customer) []*Customer {
	out := cs[:0:0]
	for _, c := range cs {
		if Disclosable(c) {
			out = append(out, c)
		}
	}
	return out
}

// LookupByNationalID returns the disclosable customers of a ledger that
// carry id (a canonical identity number).
func (s *Service) LookupByNationalID(ctx context.Context, ledgerNo string, id NationalID) ([]*Customer, error) {
	cs, err := s.store.FindCustomers(ctx, ledgerNo, id, MaxLookup)
	if err != nil {
		return nil, err
	}
	return disclosable(cs), nil
}

// LookupByMSISDN returns the disclosable customers of a ledger with the
// E.164 number msisdn.
func (s *Service) LookupByMSISDN(ctx context.Context, ledgerNo, msisdn string) ([]*Customer, error) {
	cs, err := s.store.ListCustomers(ctx, ledgerNo, ListFilter{MSISDN: msisdn, Limit: MaxLookup})
	if err != nil {
		return nil, err
	}
	return disclosable(cs), nil
}

// Withheld returns what an API may show a third party of c: c itself, or
// for a person under protected identity a copy without what would find
// them or reach them: no identity numbers (national identifier, VAT and
// tax identification numbers), no e-mail address, no phone number, no EDI
// addressing, and of every address only its uuid and country. The name,
// the uuids and the statuses stay.
func Withheld(c *Customer) *Customer {
	if !c.ProtectedIdentity {
		return c
	}
	w := c.Clone()
	w.NationalID, w.VATNo, w.TaxIdentificationNumber = nil, "", ""
	w.Email, w.MSISDN, w.EDI = "", "", nil
	w.LegalAddress = withheldAddress(w.LegalAddress)
	if w.BillingAddress != nil {
		a := withheldAddress(*w.BillingAddress)
		w.BillingAddress = &a
	}
	return w
}

func withheldAddress(a Address) Address {
	return Address{UUID: a.UUID, CountryCode: a.CountryCode}
}
