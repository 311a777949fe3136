package register

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/kund/kund/internal/customer"
)

// Outcomes of a register lookup in the disclosure log.
const (
	OutcomeFound       = "found"
	OutcomeNotFound    = "not-found"
	OutcomeAmbiguous   = "ambiguous"
	OutcomeUnavailable = "unavailable"
	// OutcomeWithheld: the person was found but is under protected
	// identity or deceased, so the lookup answered that nobody was found.
	OutcomeWithheld = "withheld"
)

// Sources of an answer in the disclosure log.
const (
	SourceRegister  = "register"  // the population register
	SourceCustomers = "customers" // the ledger's own customers
)

// Purposes of the native API's lookups; the dialects name their own.
const (
	PurposeGenerate      = "generate-consumer-customer-by-reg-no"
	PurposeUpdateAddress = customer.RelUpdateFromRegister
)

// Lookup is one entry of the disclosure log: who asked the register about
// whom, why, when, and what came of it. The identity number is kept only
// as SubjectHash.
type Lookup struct {
	ID          int64
	LedgerNo    string
	TokenID     string
	SubjectHash string // Service.Subject of the person asked about
	Purpose     string
	Source      string // SourceRegister or SourceCustomers
	Outcome     string
	At          time.Time
}

// LookupLog keeps the disclosure log. Every engine's store implements it.
type LookupLog interface {
	// LogRegisterLookup appends an entry and sets its ID.
	LogRegisterLookup(ctx context.Context, l *Lookup) error
	// RegisterLookups returns up to limit entries of a ledger newest first,
	// after skipping skip; subjects, when not empty, select the entries
	// whose SubjectHash is one of them (the names of one person).
	RegisterLookups(ctx context.Context, ledgerNo string, subjects []string, skip, limit int) ([]*Lookup, error)
}

// HashSubject is how entries written before the subject was keyed name
// the identity number (or phone number) a lookup was about: a SHA-256 of
// the ledger and the number. Personal numbers are few enough to be tried
// one by one against it, so Service.Subject keys the hash now; these
// entries stay until the log's retention ends them.
func HashSubject(ledgerNo, kind, value string) string {
	h := sha256.New()
	for _, part := range []string{"kund register lookup v1", ledgerNo, kind, value} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Service asks the register on behalf of a caller and writes every lookup
// to the disclosure log before its answer is used.
type Service struct {
	provider Provider
	log      LookupLog
	now      func() time.Time
	index    func(purpose, value string) string // nil: subjects are HashSubject
}

// UseSubjectKey makes the log name the persons of new entries by a keyed
// hash: index is Kund's blind index (the store's Index), whose key is
// never in the database, so the log's entries cannot be tried against
// the identity numbers without it.
func (s *Service) UseSubjectKey(index func(purpose, value string) string) { s.index = index }

// Subject is how the disclosure log names the person of a lookup: kind is
// the country of an identity number, "phone", "uuid" or "customer". The
// ledger is part of it, so that entries of different ledgers cannot be
// joined.
func (s *Service) Subject(ledgerNo, kind, value string) string {
	if s.index == nil {
		return HashSubject(ledgerNo, kind, value)
	}
	return "k1:" + s.index("disclosure-subject", ledgerNo+"\x00"+kind+"\x00"+value)
}

// Subjects are every name the log may know one person by: Subject, and
// the unkeyed hash of entries written before it was keyed.
func (s *Service) Subjects(ledgerNo, kind, value string) []string {
	if s.index == nil {
		return []string{HashSubject(ledgerNo, kind, value)}
	}
	return []string{s.Subject(ledgerNo, kind, value), HashSubject(ledgerNo, kind, value)}
}

// NewService returns a Service; a nil provider is None.
func NewService(p Provider, log LookupLog, now func() time.Time) *Service {
	if p == nil {
		p = None{}
	}
	if now == nil {
		now = time.Now
	}
	return &Service{provider: p, log: log, now: now}
}

// Lookup asks the register about a person by country and canonical
// personal identity number, for purpose. A person not in the register is
// EPERSONNOTFOUND, a register that cannot answer EREGISTERUNAVAILABLE.
func (s *Service) Lookup(ctx context.Context, caller customer.Caller, purpose, country, regNo string) (*Person, error) {
	p, err := s.provider.Lookup(ctx, country, regNo)
	return s.record(ctx, caller, purpose, s.Subject(caller.LedgerNo, country, regNo), p, err, false)
}

// LookupPhone is Lookup by an E.164 phone number. A number that several
// persons share is EPERSONNOTFOUND too: the register cannot say who it is.
func (s *Service) LookupPhone(ctx context.Context, caller customer.Caller, purpose, phone string) (*Person, error) {
	p, err := s.provider.LookupPhone(ctx, phone)
	return s.record(ctx, caller, purpose, s.Subject(caller.LedgerNo, "phone", phone), p, err, false)
}

// record logs a register lookup and translates its answer. With withhold,
// a person under protected identity or deceased is logged as withheld and
// answered as not found.
func (s *Service) record(ctx context.Context, caller customer.Caller, purpose, subject string, p *Person, err error, withhold bool) (*Person, error) {
	entry := &Lookup{LedgerNo: caller.LedgerNo, TokenID: caller.TokenID, SubjectHash: subject, Purpose: purpose,
		Source: SourceRegister, At: s.now().UTC().Truncate(time.Microsecond)}
	var out error
	switch {
	case err == nil && withhold && (p.ProtectedIdentity || p.Deceased):
		entry.Outcome = OutcomeWithheld
		out = customer.Errorf(customer.EPERSONNOTFOUND, "The person is not in the population register.")
	case err == nil:
		entry.Outcome = OutcomeFound
	case errors.Is(err, ErrNotFound):
		entry.Outcome = OutcomeNotFound
		out = customer.Errorf(customer.EPERSONNOTFOUND, "The person is not in the population register.")
	case errors.Is(err, ErrAmbiguous):
		entry.Outcome = OutcomeAmbiguous
		out = customer.Errorf(customer.EPERSONNOTFOUND, "Several persons in the population register have this phone number.")
	default:
		entry.Outcome = OutcomeUnavailable
		out = customer.Errorf(customer.EREGISTERUNAVAILABLE, "The population register did not answer; nothing was changed. Try again later.")
	}
	if lerr := s.write(ctx, entry); lerr != nil {
		return nil, lerr
	}
	if out != nil {
		return nil, out
	}
	return p, nil
}

// write appends an entry to the disclosure log. An answer that cannot be
// logged is not used: the log is the proof of every disclosure.
func (s *Service) write(ctx context.Context, entry *Lookup) error {
	if err := s.log.LogRegisterLookup(ctx, entry); err != nil {
		if customer.ErrorCode(err) == customer.EINTERNAL {
			return customer.Errorf(customer.EUNAVAILABLE, "The lookup could not be logged; nothing was disclosed.")
		}
		return err
	}
	return nil
}

// Entry is the domain's view of a person found.
func Entry(p *Person) *customer.RegisterEntry {
	return &customer.RegisterEntry{
		Name: p.Name(),
		Address: customer.AddressInput{StreetAddress: p.Address.StreetAddress, CoAddress: p.Address.CoAddress,
			City: p.Address.City, ZipCode: p.Address.ZipCode, CountryCode: p.Address.CountryCode},
		ProtectedIdentity: p.ProtectedIdentity,
		Deceased:          p.Deceased,
	}
}

// GenerateConsumer implements generate-consumer-customer-by-reg-no: the
// request is validated, the register asked (and the lookup logged), and the
// customer created from the register's answer.
func (s *Service) GenerateConsumer(ctx context.Context, customers *customer.Service, caller customer.Caller, in *customer.GenerateRequest, opts ...customer.WriteOption) (*customer.Customer, error) {
	id, err := customers.CheckGenerateRequest(ctx, caller.LedgerNo, in)
	if err != nil {
		return nil, err
	}
	p, err := s.Lookup(ctx, caller, PurposeGenerate, id.CountryCode, id.RegNo)
	if err != nil {
		return nil, err
	}
	return customers.GenerateFromRegister(ctx, caller.LedgerNo, in, id, Entry(p), opts...)
}

// UpdateLegalAddress implements update-legal-address-from-population-register.
func (s *Service) UpdateLegalAddress(ctx context.Context, customers *customer.Service, caller customer.Caller, no, ifMatch string) (*customer.Customer, error) {
	c, err := customers.RegisterSubject(ctx, caller.LedgerNo, no)
	if err != nil {
		return nil, err
	}
	if err := c.CheckETag(ifMatch); err != nil {
		return nil, err // refused before anyone is asked
	}
	id := *c.NationalID
	p, err := s.Lookup(ctx, caller, PurposeUpdateAddress, id.CountryCode, id.RegNo)
	if err != nil {
		return nil, err
	}
	return customers.SetLegalAddressFromRegister(ctx, caller.LedgerNo, no, id, Entry(p), ifMatch)
}

// MaxPage is the largest page of the disclosure log.
const MaxPage = 100

// Lookups returns a page of a ledger's disclosure log newest first and
// whether more follow. subjects, when not empty, select one person (the
// names Subjects gives).
func (s *Service) Lookups(ctx context.Context, ledgerNo string, subjects []string, skip, take int) ([]*Lookup, bool, error) {
	var p customer.Problems
	if skip < 0 {
		p.Add("skip", "must be 0 or more")
	}
	if take < 1 || take > MaxPage {
		p.Addf("take", "must be between 1 and %d", MaxPage)
	}
	if err := p.Err(); err != nil {
		return nil, false, err
	}
	ls, err := s.log.RegisterLookups(ctx, ledgerNo, subjects, skip, take+1)
	if err != nil {
		return nil, false, err
	}
	if len(ls) > take {
		return ls[:take], true, nil
	}
	return ls, false, nil
}

// SubjectsOf are every name the log may know a customer's person by: by
// identity number and phone number, and by uuid and customer number,
// which some dialects look a customer up by.
func (s *Service) SubjectsOf(c *customer.Customer) []string {
	var subjects []string
	if id := c.NationalID; id != nil {
		subjects = append(subjects, s.Subjects(c.LedgerNo, id.CountryCode, id.RegNo)...)
	}
	if c.MSISDN != "" {
		subjects = append(subjects, s.Subjects(c.LedgerNo, "phone", c.MSISDN)...)
	}
	subjects = append(subjects, s.Subjects(c.LedgerNo, "uuid", c.UUID)...)
	return append(subjects, s.Subjects(c.LedgerNo, "customer", c.No)...)
}

// PurposeConsoleView is the purpose of a console page that showed an
// operator a protected person's identity number and addresses.
const PurposeConsoleView = "console-view-protected-identity"

// OutcomeShown: the protected person's data was shown.
const OutcomeShown = "shown"

// LogView records in the disclosure log that the operator named was shown
// the identity number and addresses of c, a customer under protected
// identity, before the page is drawn.
func (s *Service) LogView(ctx context.Context, operatorName string, c *customer.Customer) error {
	subject := s.Subject(c.LedgerNo, "customer", c.No)
	if id := c.NationalID; id != nil {
		subject = s.Subject(c.LedgerNo, id.CountryCode, id.RegNo)
	}
	return s.write(ctx, &Lookup{LedgerNo: c.LedgerNo, TokenID: "operator:" + operatorName, SubjectHash: subject, Purpose: PurposeConsoleView,
		Source: SourceCustomers, Outcome: OutcomeShown, At: s.now()})
}
