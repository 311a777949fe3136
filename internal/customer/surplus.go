package customer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kund/kund/internal/nordic"
)

// Surplus statuses. The seed lists the first three; a depleted surplus is
// kept but no longer shown by the API.
const (
	SurplusOpen                = "open"
	SurplusPendingDisbursement = "pending-disbursement"
	SurplusPendingRegulate     = "pending-regulate"
	SurplusDepleted            = "depleted"
)

// SurplusDateLayout is the seed's date format of surpluses.
const SurplusDateLayout = "2006-01-02T15:04:05"

// Surplus is money a ledger owes a customer after an overpayment.
type Surplus struct {
	LedgerNo    string
	CustomerNo  string
	ID          string // surplusId as the ledger sent it; compared case-insensitively
	Balance     nordic.Amount
	Date        string // SurplusDateLayout
	Status      string
	Invoice     string // relative URI of the source invoice, or ""
	Account     string // relative URI of the source account, or ""
	ActiveOrder *DisbursementOrder
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SurplusKey is the form in which surplus ids are compared.
func SurplusKey(id string) string { return strings.ToLower(id) }

// SurplusInput is a surplus as the ledger's feed sends it.
type SurplusInput struct {
	SurplusID string
	Balance   string // the decimal as written, from a JSON number or string
	Currency  string
	Date      string
	Status    string
	Invoice   string
	Account   string
}

// Validate checks a surplus of the feed and returns it normalised. A
// missing surplusId is drawn at random.
func (in *SurplusInput) Validate() (*Surplus, error) {
	var p Problems
	s := &Surplus{Status: SurplusOpen}
	s.ID = strings.TrimSpace(in.SurplusID)
	if s.ID == "" {
		var b [8]byte
		rand.Read(b[:])
		s.ID = hex.EncodeToString(b[:])
	} else if msg := checkSurplusID(s.ID); msg != "" {
		p.Add("surplusId", msg)
	}
	cur := strings.TrimSpace(in.Currency)
	if cur == "" {
		p.Add("currency", "is required")
	} else if _, ok := nordic.Currency(cur); !ok {
		p.Add("currency", "must be an active ISO 4217 currency code")
	}
	switch bal := strings.TrimSpace(in.Balance); {
	case bal == "":
		p.Add("balance", "is required")
	case cur == "" || p.Has("currency"):
		// The minor units depend on the currency, which is already reported.
	default:
		a, err := nordic.ParseAmount(bal, cur)
		if err != nil {
			p.Add("balance", err.Error())
		} else if a.Minor <= 0 {
			p.Add("balance", "must be greater than 0")
		}
		s.Balance = a
	}
	s.Date = strings.TrimSpace(in.Date)
	if s.Date == "" {
		p.Add("date", "is required")
	} else if d, err := parseSurplusDate(s.Date); err != nil {
		p.Add("date", "must be a date as yyyy-MM-ddTHH:mm:ss or yyyy-MM-dd")
	} else {
		s.Date = d
	}
	switch st := strings.TrimSpace(in.Status); st {
	case "":
	case SurplusOpen, SurplusPendingDisbursement, SurplusPendingRegulate:
		s.Status = st
	default:
		p.Add("status", `must be "open", "pending-disbursement" or "pending-regulate"`)
	}
	s.Invoice = relativeURI(&p, "invoice", in.Invoice)
	s.Account = relativeURI(&p, "account", in.Account)
	if s.Invoice != "" && s.Account != "" {
		p.Add("account", "a surplus comes from an invoice or an account, not both")
	}
	return s, p.Err()
}

func checkSurplusID(id string) string {
	if utf8.RuneCountInString(id) > 50 {
		return "must be at most 50 characters"
	}
	for _, r := range id {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.", r))) {
			return "must be letters, digits, '-', '_' or '.'"
		}
	}
	return ""
}

func parseSurplusDate(s string) (string, error) {
	t, err := time.Parse(SurplusDateLayout, s)
	if err != nil {
		var err2 error
		if t, err2 = time.Parse("2006-01-02", s); err2 != nil {
			return "", err
		}
	}
	return t.Format(SurplusDateLayout), nil
}

// relativeURI checks a link to another PayEx API: an absolute path without
// white space or anything else CheckText refuses.
func relativeURI(p *Problems, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if msg := CheckText(s); msg != "" {
		p.Add(field, msg)
	} else if utf8.RuneCountInString(s) > 200 || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, ' ') {
		p.Add(field, "must be a relative URI (a path starting with /, at most 200 characters)")
	}
	return s
}

// CreateSurplus stores a surplus of the ledger's feed.
func (s *Service) CreateSurplus(ctx context.Context, ledgerNo, customerNo string, in *SurplusInput) (*Surplus, error) {
	if CheckCustomerNo(customerNo) != "" {
		return nil, errCustomerNotFound()
	}
	sp, err := in.Validate()
	if err != nil {
		return nil, err
	}
	sp.LedgerNo, sp.CustomerNo = ledgerNo, customerNo
	sp.CreatedAt = s.Now()
	sp.UpdatedAt = sp.CreatedAt
	if err := s.store.CreateSurplus(ctx, sp); err != nil {
		return nil, err
	}
	return sp, nil
}

// Surplus returns one surplus that is not depleted.
func (s *Service) Surplus(ctx context.Context, ledgerNo, customerNo, id string) (*Surplus, error) {
	if CheckCustomerNo(customerNo) != "" {
		return nil, errCustomerNotFound()
	}
	if checkSurplusID(id) != "" {
		return nil, errSurplusNotFound()
	}
	if _, err := s.store.Customer(ctx, ledgerNo, customerNo); err != nil {
		return nil, err
	}
	sp, err := s.store.Surplus(ctx, ledgerNo, customerNo, id)
	if err != nil {
		return nil, err
	}
	if sp.Status == SurplusDepleted {
		return nil, errSurplusNotFound()
	}
	return sp, nil
}

// ListSurpluses returns a page of a customer's surpluses that are not
// depleted, oldest first, and whether more follow.
func (s *Service) ListSurpluses(ctx context.Context, ledgerNo, customerNo string, skip, take int) ([]*Surplus, bool, error) {
	var p Problems
	if skip < 0 {
		p.Add("skip", "must be 0 or more")
	}
	if take < 1 || take > MaxPage {
		p.Addf("take", "must be between 1 and %d", MaxPage)
	}
	if err := p.Err(); err != nil {
		return nil, false, err
	}
	if CheckCustomerNo(customerNo) != "" {
		return nil, false, errCustomerNotFound()
	}
	if _, err := s.store.Customer(ctx, ledgerNo, customerNo); err != nil {
		return nil, false, err
	}
	list, err := s.store.ListSurpluses(ctx, ledgerNo, customerNo, skip, take+1)
	if err != nil {
		return nil, false, err
	}
	if len(list) > take {
		return list[:take], true, nil
	}
	return list, false, nil
}

// DepleteSurplus records that the ledger has used up a surplus; it is no
// longer shown.
func (s *Service) DepleteSurplus(ctx context.Context, ledgerNo, customerNo, id string) error {
	if _, err := s.Surplus(ctx, ledgerNo, customerNo, id); err != nil {
		return err
	}
	now := s.Now()
	_, err := s.store.UpdateSurplus(ctx, ledgerNo, customerNo, id, func(sp *Surplus) error {
		if sp.Status == SurplusDepleted {
			return errSurplusNotFound()
		}
		sp.Status = SurplusDepleted
		sp.UpdatedAt = now
		return nil
	})
	return err
}

func errSurplusNotFound() error {
	return Errorf(ENOTFOUND, "The surplus does not exist.")
}
