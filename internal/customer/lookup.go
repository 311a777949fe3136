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
