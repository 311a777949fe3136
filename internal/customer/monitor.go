package customer

import (
	"context"
	"errors"
	"time"
)

// Register monitoring: customers kept in step with what the population
// register says about the person (docs/register.md).

// Reasons why a change of the register is not applied to a customer, or
// only in part. They name no person and are what the log and the metrics
// show.
const (
	// SkipBusiness: a business customer's legal address is the business's,
	// even when it carries a sole trader's personal number.
	SkipBusiness = "business-customer"
	// SkipOtherCountry: the legal address is in another country than the
	// register's, which cannot speak for it.
	SkipOtherCountry = "legal-address-in-another-country"
	// SkipSetByCustomer: the legal address was set by hand (created with
	// it, or changed since the register confirmed it).
	SkipSetByCustomer = "legal-address-set-by-customer"
	// SkipProtectionLift: the register lifted a protected identity;
	// lifting it in Kund is the ledger's decision.
	SkipProtectionLift = "protection-lift-left-to-ledger"
)

// errNothingToApply aborts an update that the customer's current state
// makes unnecessary.
var errNothingToApply = errors.New("customer: nothing to apply")

// FollowRegister brings customer no of a ledger in step with e, what the
// register says now about the person id: a deceased person's legalStatus
// becomes deceased, a protected identity sets protectedIdentity and the
// address the register gives for them, and a legal address the register
// gave (SourceRegister) follows the register's address and name. With
// confirm (a refresh), an address the register agrees with is marked
// confirmed, one set by the customer and equal to the register's becomes
// the register's.
//
// disclose is called before anything is written, only when something will
// be: the register's answer is used, and the disclosure log must say so
// first. FollowRegister answers whether the customer changed as a client
// sees it (a confirmation alone is no change) and, when a part of the
// change did not apply, why (one of the Skip reasons). The
// caller's context carries the journal's actor (ActorRegister).
func (s *Service) FollowRegister(ctx context.Context, ledgerNo, no string, id NationalID, e *RegisterEntry, confirm bool, disclose func() error) (changed bool, skipped string, err error) {
	name := clip(e.Name, 72)
	in := e.Address
	in.Addressee = name
	addr, err := in.Validate()
	if err != nil {
		return false, "", Errorf(EREGISTERUNAVAILABLE, "The population register answered with an address Kund cannot store.")
	}
	now := s.Now()
	c, err := s.Customer(ctx, ledgerNo, no)
	if err != nil {
		return false, "", err
	}
	plan := c.Clone()
	if skipped = follow(plan, id, e, name, addr, now, confirm); sameState(plan, c) {
		return false, skipped, nil
	}
	if err := disclose(); err != nil {
		return false, skipped, err
	}
	_, err = s.update(ctx, ledgerNo, no, "", func(cur *Customer) error {
		before := cur.Clone()
		// The customer may have changed since it was read: decide again.
		skipped = follow(cur, id, e, name, addr, now, confirm)
		if sameState(cur, before) {
			return errNothingToApply
		}
		changed = len(CustomerEvents(before, cur)) > 0
		return nil
	})
	if errors.Is(err, errNothingToApply) {
		return false, skipped, nil
	}
	return changed && err == nil, skipped, err
}

// follow applies e to c (see FollowRegister) and says what it left out.
func follow(c *Customer, id NationalID, e *RegisterEntry, name string, addr Address, now time.Time, confirm bool) (skipped string) {
	if c.NationalID == nil || *c.NationalID != id {
		return "" // not this person (any more)
	}
	if c.LegalEntity != Consumer {
		return SkipBusiness
	}
	if e.Deceased {
		c.LegalStatus = StatusDeceased
	}
	newlyProtected := e.ProtectedIdentity && !c.ProtectedIdentity
	if e.ProtectedIdentity {
		c.ProtectedIdentity = true
	} else if c.ProtectedIdentity && c.LegalSource == SourceRegister {
		skipped = SkipProtectionLift
	}
	addr.UUID = c.LegalAddress.UUID
	switch {
	case newlyProtected:
		// Where a protected person lives must not stay on file, whoever
		// wrote it: the register's forwarding address replaces it.
	case c.LegalSource == SourceRegister:
	case confirm && c.LegalAddress == addr:
		// The customer's address is the register's: from now on it follows it.
	case c.LegalAddress.CountryCode != id.CountryCode:
		return SkipOtherCountry
	default:
		return SkipSetByCustomer
	}
	changed := c.LegalAddress != addr || c.Name != name
	c.LegalAddress, c.Name = addr, name
	if changed || confirm || c.LegalSource != SourceRegister {
		c.LegalSource, c.LegalConfirmedAt = SourceRegister, now
	}
	return skipped
}

// sameState compares two states of a customer as the journal does: a
// difference is a change to write.
func sameState(a, b *Customer) bool {
	return len(CustomerEvents(b, a)) == 0 && a.LegalConfirmedAt.Equal(b.LegalConfirmedAt) && a.LegalSource == b.LegalSource
}

// MatchingCustomers returns up to limit customers of a ledger carrying a
// personal identity number, for register monitoring.
func (s *Service) MatchingCustomers(ctx context.Context, ledgerNo string, id NationalID, limit int) ([]*Customer, error) {
	return s.store.FindCustomers(ctx, ledgerNo, id, limit)
}
