package customer

import (
	"context"
	"strings"
	"time"

	"github.com/kund/kund/internal/nordic"
)

// Swedish account types of a disbursement order: a bank account, a
// Bankgiro number or a PlusGiro number.
const (
	AccountTypeBank     = "BKSE"
	AccountTypeBankgiro = "BGSE"
	AccountTypePlusgiro = "PGSE"
)

// DisbursementOrder says where a surplus is to be paid out: exactly one of
// the four kinds is set. It is stored as JSON, hence the tags.
type DisbursementOrder struct {
	Norwegian     *NorwegianAccount     `json:"norwegianBankAccount,omitempty"`
	Swedish       *SwedishAccount       `json:"swedishBankAccount,omitempty"`
	International *InternationalAccount `json:"international,omitempty"`
	SUS           *SUSPayee             `json:"swedishSus,omitempty"`
	CreatedAt     time.Time             `json:"createdAt"`
}

// NorwegianAccount is an 11-digit Norwegian account number.
type NorwegianAccount struct {
	AccountNo string `json:"accountNo"`
}

// SwedishAccount is a Swedish bank account ("clearing-number"), Bankgiro or
// PlusGiro number, told apart by AccountType.
type SwedishAccount struct {
	AccountNo   string `json:"accountNo"`
	AccountType string `json:"accountType"`
}

// InternationalAccount is an IBAN with the BIC of its bank.
type InternationalAccount struct {
	IBAN string `json:"iban"`
	BIC  string `json:"bic"`
}

// SUSPayee is a payee of Swedbank's SUS (lön- och utbetalningssystem): paid
// by a money order to a Swedish personal number at a postal address.
type SUSPayee struct {
	NationalID NationalID `json:"nationalIdentifier"`
	Address    Address    `json:"address"`
}

// DisbursementInput is a disbursement order as sent. A nil kind was not
// sent.
type DisbursementInput struct {
	Norwegian *struct{ AccountNo string }
	Swedish   *struct{ ClearingNo, AccountNo, AccountType string }
	Intl      *struct{ IBAN, BIC string }
	SUS       *struct {
		NationalID *NationalIDInput
		Address    *AddressInput
	}
}

// Validate checks that exactly one kind is given and that its numbers are
// real, and returns the order normalised.
func (in *DisbursementInput) Validate(now time.Time) (*DisbursementOrder, error) {
	var p Problems
	n := 0
	for _, set := range []bool{in.Norwegian != nil, in.Swedish != nil, in.Intl != nil, in.SUS != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		p.Add("body", "must hold exactly one of norwegianBankAccount, swedishBankAccount, international and swedishSus")
		return nil, p.Err()
	}
	o := &DisbursementOrder{CreatedAt: now}
	switch {
	case in.Norwegian != nil:
		acct, err := nordic.ParseNorwegianAccount(strings.TrimSpace(in.Norwegian.AccountNo))
		if err != nil {
			p.Add("norwegianBankAccount.accountNo", err.Error())
		}
		o.Norwegian = &NorwegianAccount{AccountNo: acct}
	case in.Swedish != nil:
		o.Swedish = validateSwedishAccount(&p, in.Swedish.ClearingNo, in.Swedish.AccountNo, in.Swedish.AccountType)
	case in.Intl != nil:
		const f = "international."
		iban, err := nordic.ParseIBAN(strings.TrimSpace(in.Intl.IBAN))
		if strings.TrimSpace(in.Intl.IBAN) == "" {
			p.Add(f+"iban", "is required")
		} else if err != nil {
			p.Add(f+"iban", err.Error())
		}
		bic, err := nordic.ParseBIC(strings.TrimSpace(in.Intl.BIC))
		if strings.TrimSpace(in.Intl.BIC) == "" {
			p.Add(f+"bic", "is required")
		} else if err != nil {
			p.Add(f+"bic", err.Error())
		} else if iban != "" && len(bic) >= 6 && bic[4:6] != iban[:2] && !(iban[:2] == "XK") {
			p.Add(f+"bic", "must be of a bank in the IBAN's country")
		}
		o.International = &InternationalAccount{IBAN: iban, BIC: bic}
	case in.SUS != nil:
		o.SUS = validateSUS(&p, in.SUS.NationalID, in.SUS.Address, now)
	}
	return o, p.Err()
}

// validateSwedishAccount accepts both forms of the seed: clearingNo and
// accountNo, or accountNo and accountType (BKSE with the clearing number
// first, BGSE, PGSE).
func validateSwedishAccount(p *Problems, clearing, number, typ string) *SwedishAccount {
	const f = "swedishBankAccount."
	clearing, number, typ = strings.TrimSpace(clearing), strings.TrimSpace(number), strings.ToUpper(strings.TrimSpace(typ))
	if number == "" {
		p.Add(f+"accountNo", "is required")
		return nil
	}
	if clearing != "" {
		if typ != "" && typ != AccountTypeBank {
			p.Add(f+"accountType", "must be BKSE (or left out) with a clearingNo")
			return nil
		}
		a, err := nordic.ParseSwedishAccount(clearing, number)
		if err != nil {
			p.Add(f+"accountNo", err.Error())
			return nil
		}
		return &SwedishAccount{AccountNo: a.String(), AccountType: AccountTypeBank}
	}
	var (
		s   string
		err error
	)
	switch typ {
	case AccountTypeBank:
		var a nordic.SwedishAccount
		a, err = nordic.ParseSwedishAccountNo(number)
		s = a.String()
	case AccountTypeBankgiro:
		s, err = nordic.ParseBankgiro(number)
	case AccountTypePlusgiro:
		s, err = nordic.ParsePlusgiro(number)
	case "":
		p.Add(f+"clearingNo", "is required unless accountType is given")
		return nil
	default:
		p.Add(f+"accountType", "must be BKSE, BGSE or PGSE")
		return nil
	}
	if err != nil {
		p.Add(f+"accountNo", err.Error())
		return nil
	}
	return &SwedishAccount{AccountNo: s, AccountType: typ}
}

func validateSUS(p *Problems, id *NationalIDInput, addr *AddressInput, now time.Time) *SUSPayee {
	const f = "swedishSus."
	sus := &SUSPayee{}
	if id == nil {
		p.Add(f+"nationalIdentifier", "is required")
	} else {
		nid, kind := validateNationalID(p, f+"nationalIdentifier", id, now)
		switch {
		case nid == nil:
		case nid.CountryCode != "SE" || kind != nordic.Person:
			p.Add(f+"nationalIdentifier.regNo", "must be a Swedish personal number (SUS pays persons in Sweden)")
		default:
			sus.NationalID = *nid
		}
	}
	if addr == nil {
		p.Add(f+"address", "is required")
	} else {
		sus.Address = addr.validate(p, f+"address.")
	}
	return sus
}

// ActiveDisbursementOrders returns the surplus's active orders (none or
// one).
func (s *Service) ActiveDisbursementOrders(ctx context.Context, ledgerNo, customerNo, id string) (*Surplus, []*DisbursementOrder, error) {
	sp, err := s.Surplus(ctx, ledgerNo, customerNo, id)
	if err != nil {
		return nil, nil, err
	}
	if sp.ActiveOrder == nil {
		return sp, []*DisbursementOrder{}, nil
	}
	return sp, []*DisbursementOrder{sp.ActiveOrder}, nil
}

// AddDisbursementOrder orders an open surplus to be paid out and moves it
// to pending-disbursement. Only ledgers with disbursements allow it.
func (s *Service) AddDisbursementOrder(ctx context.Context, ledgerNo, customerNo, id string, in *DisbursementInput) (*Surplus, error) {
	l, err := s.Ledger(ctx, ledgerNo)
	if err != nil {
		return nil, err
	}
	if !l.Disbursements {
		return nil, Errorf(EFORBIDDEN, "Disbursement orders are not enabled for this ledger.")
	}
	if _, err := s.Surplus(ctx, ledgerNo, customerNo, id); err != nil {
		return nil, err
	}
	now := s.Now()
	o, err := in.Validate(now)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateSurplus(ctx, ledgerNo, customerNo, id, func(sp *Surplus) error {
		if sp.Status == SurplusDepleted {
			return errSurplusNotFound()
		}
		if sp.Status != SurplusOpen {
			return Errorf(ECONFLICT, "Only an open surplus can be disbursed; this one is %s.", sp.Status)
		}
		sp.ActiveOrder = o
		sp.Status = SurplusPendingDisbursement
		sp.UpdatedAt = now
		return nil
	})
}
