package customer

import "context"

// Lookups answer a third party's question "who is this?" (the dialects'
// lookups by identity number, phone or uuid). A person under protected
// identity, or one who has died, is never part of such an answer: when any
// customer of the ledger carrying the number asked about is withheld, the
// lookup finds nothing, and it is never answered from the register instead.

// MaxLookup bounds the customers a lookup reads.
const MaxLookup = 10

// Withheld reports whether a third party's lookup must act as if c did not
// exist.
func Withheld(c *Customer) bool { return c.ProtectedIdentity || c.LegalStatus == StatusDeceased }

// AnyWithheld reports whether any of cs is withheld.
func AnyWithheld(cs []*Customer) bool {
	for _, c := range cs {
		if Withheld(c) {
			return true
		}
	}
	return false
}

// CustomersByNationalID returns up to MaxLookup customers of a ledger that
// carry id (a canonical identity number), withheld ones included: the
// caller decides what may be shown.
func (s *Service) CustomersByNationalID(ctx context.Context, ledgerNo string, id NationalID) ([]*Customer, error) {
	return s.store.FindCustomers(ctx, ledgerNo, id, MaxLookup)
}

// CustomersByMSISDN returns up to MaxLookup customers of a ledger with the
// E.164 number msisdn, withheld ones included.
func (s *Service) CustomersByMSISDN(ctx context.Context, ledgerNo, msisdn string) ([]*Customer, error) {
	return s.store.ListCustomers(ctx, ledgerNo, ListFilter{MSISDN: msisdn, Limit: MaxLookup})
}

// ForThirdParty returns what an API may show a third party of c: c itself,
// or for a person under protected identity a copy without what would find
// them or reach them: no identity numbers (national identifier, VAT and
// tax identification numbers), no e-mail address, no phone number, no EDI
// addressing, and of every address only its uuid and country. The name,
// the uuids and the statuses stay.
func ForThirdParty(c *Customer) *Customer {
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
