package customer

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kund/kund/internal/nordic"
)

// Service holds the business rules of customers. The HTTP API and every
// compatibility dialect go through it; none of them re-implements a rule.
type Service struct {
	store Store
	now   func() time.Time
	cards CardGateway // nil: recurring-card registrations are unavailable
	// webhookURLCheck applies the network rules to a webhook's URL; nil:
	// https only.
	webhookURLCheck func(ctx context.Context, u *url.URL) error
	// onErased are told of each customer erased (OnErased).
	onErased []func(*Customer)
}

// NewService returns a Service over store. now is the clock; nil means
// time.Now.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Now is the service clock, in UTC at microsecond precision (what every
// store keeps).
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// CheckLedgerNo returns what is wrong with a ledger number, or "".
func CheckLedgerNo(no string) string {
	if no == "" || len(no) > 20 {
		return "must be 1-20 characters"
	}
	for i := 0; i < len(no); i++ {
		c := no[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return "must be letters, digits or '-'"
		}
	}
	return ""
}

// CreateLedger validates and stores a new ledger.
func (s *Service) CreateLedger(ctx context.Context, l *Ledger) error {
	var p Problems
	if msg := CheckLedgerNo(l.No); msg != "" {
		p.Add("ledgerNo", msg)
	}
	if !nordic.IdentityCountry(l.Country) {
		p.Add("country", "must be SE, NO, DK or FI")
	}
	if l.CustomerNumbers == "" {
		l.CustomerNumbers = NumbersClient
	}
	if l.CustomerNumbers != NumbersClient && l.CustomerNumbers != NumbersGenerated {
		p.Add("customerNumbers", `must be "client" or "generated"`)
	}
	if err := (LedgerOptions{SessionLookups: &l.SessionLookups, SessionTTL: &l.SessionTTL, EventRetentionDays: &l.EventRetentionDays}).check(); err != nil {
		p.list = append(p.list, ErrorProblems(err)...)
	}
	if err := p.Err(); err != nil {
		return err
	}
	l.CreatedAt = s.Now()
	return s.store.CreateLedger(ctx, l)
}

// Ledger returns a ledger.
func (s *Service) Ledger(ctx context.Context, no string) (*Ledger, error) {
	if CheckLedgerNo(no) != "" {
		return nil, Errorf(ENOTFOUND, "No such ledger.")
	}
	return s.store.Ledger(ctx, no)
}

// CreateCustomer validates a create request and stores the customer.
func (s *Service) CreateCustomer(ctx context.Context, ledgerNo string, in *NewCustomer, opts ...WriteOption) (*Customer, error) {
	l, err := s.Ledger(ctx, ledgerNo)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	c, err := in.Validate(l, now)
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = now, now
	if l.CustomerNumbers == NumbersGenerated {
		c.No = ""
	}
	if err := s.store.CreateCustomer(ctx, c, options(opts).key); err != nil {
		return nil, err
	}
	return c, nil
}

// Customer returns one customer of a ledger.
func (s *Service) Customer(ctx context.Context, ledgerNo, no string) (*Customer, error) {
	if CheckCustomerNo(no) != "" {
		return nil, errCustomerNotFound()
	}
	return s.store.Customer(ctx, ledgerNo, no)
}

// CustomerByUUID returns one customer of a ledger by its uuid.
func (s *Service) CustomerByUUID(ctx context.Context, ledgerNo, uuid string) (*Customer, error) {
	if !validUUID("CSRT", uuid) {
		return nil, errCustomerNotFound()
	}
	return s.store.CustomerByUUID(ctx, ledgerNo, uuid)
}

// PatchCustomer applies a PATCH. ifMatch, when not empty, must be the
// customer's current ETag.
func (s *Service) PatchCustomer(ctx context.Context, ledgerNo, no string, p *Patch, ifMatch string) (*Customer, error) {
	return s.update(ctx, ledgerNo, no, ifMatch, p.Apply)
}

// PutLegalAddress replaces the legal address.
func (s *Service) PutLegalAddress(ctx context.Context, ledgerNo, no string, in *AddressInput, ifMatch string) (*Customer, error) {
	a, err := in.Validate()
	if err != nil {
		return nil, err
	}
	return s.update(ctx, ledgerNo, no, ifMatch, func(c *Customer) error {
		a.UUID = c.LegalAddress.UUID
		c.LegalAddress = a
		c.LegalSource, c.LegalConfirmedAt = SourceCustomer, time.Time{}
		return nil
	})
}

// AddBillingAddress adds a billing address to a customer that has none.
func (s *Service) AddBillingAddress(ctx context.Context, ledgerNo, no string, in *AddressInput, ifMatch string, opts ...WriteOption) (*Customer, error) {
	a, err := in.Validate()
	if err != nil {
		return nil, err
	}
	a.UUID = "" // the store gives a new address its uuid
	return s.update(ctx, ledgerNo, no, ifMatch, func(c *Customer) error {
		if c.BillingAddress != nil {
			return Errorf(EBILLINGEXISTS, "The customer already has a billing address; replace it with PUT.")
		}
		c.BillingAddress = &a
		return nil
	}, opts...)
}

// PutBillingAddress replaces the billing address.
func (s *Service) PutBillingAddress(ctx context.Context, ledgerNo, no string, in *AddressInput, ifMatch string) (*Customer, error) {
	a, err := in.Validate()
	if err != nil {
		return nil, err
	}
	return s.update(ctx, ledgerNo, no, ifMatch, func(c *Customer) error {
		if c.BillingAddress == nil {
			return errBillingNotFound()
		}
		a.UUID = c.BillingAddress.UUID
		c.BillingAddress = &a
		return nil
	})
}

// DeleteBillingAddress removes the billing address.
func (s *Service) DeleteBillingAddress(ctx context.Context, ledgerNo, no, ifMatch string) error {
	_, err := s.update(ctx, ledgerNo, no, ifMatch, func(c *Customer) error {
		if c.BillingAddress == nil {
			return errBillingNotFound()
		}
		c.BillingAddress = nil
		return nil
	})
	return err
}

// FindCustomer finds the one customer of a ledger carrying a national
// identifier.
func (s *Service) FindCustomer(ctx context.Context, ledgerNo string, in *NationalIDInput) (*Customer, error) {
	id, err := ValidateNationalID(in, s.Now())
	if err != nil {
		return nil, err
	}
	cs, err := s.store.FindCustomers(ctx, ledgerNo, *id, 2)
	switch {
	case err != nil:
		return nil, err
	case len(cs) == 0:
		return nil, Errorf(ECUSTOMERNOTFOUND, "No customer has this national identifier.")
	case len(cs) > 1:
		return nil, Errorf(EAMBIGUOUS, "Several customers have this national identifier.")
	}
	return cs[0], nil
}

// MaxPage is the largest page of a list.
const MaxPage = 100

// ListQuery is a request for a page of a ledger's customers.
type ListQuery struct {
	Name, Email, MSISDN, RegNo, ZipCode string
	Skip, Take                          int
}

// ListCustomers returns a page of a ledger's customers newest first and
// whether more follow.
func (s *Service) ListCustomers(ctx context.Context, ledgerNo string, q ListQuery) ([]*Customer, bool, error) {
	var p Problems
	if q.Skip < 0 {
		p.Add("skip", "must be 0 or more")
	}
	if q.Take < 1 || q.Take > MaxPage {
		p.Addf("take", "must be between 1 and %d", MaxPage)
	}
	if err := p.Err(); err != nil {
		return nil, false, err
	}
	l, err := s.Ledger(ctx, ledgerNo)
	if err != nil {
		return nil, false, err
	}
	f := ListFilter{
		NamePrefix: NameKey(strings.TrimSpace(q.Name)),
		Email:      strings.TrimSpace(q.Email),
		MSISDN:     strings.TrimSpace(q.MSISDN),
		RegNo:      strings.TrimSpace(q.RegNo),
		ZipCode:    strings.ToUpper(strings.Join(strings.Fields(q.ZipCode), "")),
		Skip:       q.Skip,
		Limit:      q.Take + 1,
	}
	if f.MSISDN != "" {
		if m, err := nordic.ParseMSISDN(f.MSISDN); err == nil {
			f.MSISDN = m
		}
	}
	if f.RegNo != "" {
		if canon, _, err := nordic.ParseIdentity(l.Country, f.RegNo, s.Now()); err == nil {
			f.RegNo = canon
		}
	}
	cs, err := s.store.ListCustomers(ctx, ledgerNo, f)
	if err != nil {
		return nil, false, err
	}
	if len(cs) > q.Take {
		return cs[:q.Take], true, nil
	}
	return cs, false, nil
}

func (s *Service) update(ctx context.Context, ledgerNo, no, ifMatch string, fn func(*Customer) error, opts ...WriteOption) (*Customer, error) {
	if CheckCustomerNo(no) != "" {
		return nil, errCustomerNotFound()
	}
	now := s.Now()
	return s.store.UpdateCustomer(ctx, ledgerNo, no, func(c *Customer) error {
		if err := c.CheckETag(ifMatch); err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		c.UpdatedAt = now
		return nil
	}, options(opts).key)
}

// GeneratedCustomerNo is the n-th (from 1) customer number of a ledger that
// generates them: seven digits from 1000000 (the Norwegian and Danish
// standard length) and never a leading zero (the Swedish Autogiro rule).
func GeneratedCustomerNo(n int64) string {
	return strconv.FormatInt(999_999+n, 10)
}

// NameKey is the form in which names are compared for a case-insensitive
// prefix search.
func NameKey(name string) string { return strings.ToLower(name) }

func validUUID(prefix, s string) bool {
	if len(s) != len(prefix)+10 || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func errCustomerNotFound() error {
	return Errorf(ECUSTOMERNOTFOUND, "The customer does not exist.")
}

func errBillingNotFound() error {
	return Errorf(EBILLINGNOTFOUND, "The customer has no billing address.")
}
