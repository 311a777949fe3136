package customer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Consent names of the seed's activeConsents.
const (
	ConsentAutogiro              = "Autogiro"
	ConsentAvtalegiro            = "Avtalegiro"
	ConsentBetalingsservice      = "Betalingsservice"
	ConsentRecurringCard         = "RecurringCard"
	ConsentRecurringInvoiceToken = "RecurringInvoiceToken"
	ConsentEInvoice              = "EInvoice"
	ConsentKivra                 = "Kivra"
	ConsentEBoks                 = "EBoks"
)

// LedgerConsents are the consents a ledger sets itself; RecurringCard comes
// only from a completed card registration.
var LedgerConsents = []string{ConsentAutogiro, ConsentAvtalegiro, ConsentBetalingsservice,
	ConsentRecurringInvoiceToken, ConsentEInvoice, ConsentKivra, ConsentEBoks}

// Statuses of a recurring-card registration.
const (
	CardInitialized = "Initialized"
	CardCompleted   = "Completed"
	CardAborted     = "Aborted"
	CardFailed      = "Failed"
)

// CardLanguages are the seed's languages of the card verification page.
var CardLanguages = []string{"en-US", "sv-SE", "nb-NO", "da-DK", "fi-FI"}

// CardRegistration is one attempt to register a customer's card for
// recurring payments, through the card gateway.
type CardRegistration struct {
	ID          string // random; names the registration at the gateway
	LedgerNo    string
	CustomerNo  string
	Status      string
	RedirectURL string
	CompleteURL string
	CancelURL   string
	Language    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CardConsent is a customer's active recurring-card consent. The card
// number itself is never kept: only the gateway's token and a masked number.
type CardConsent struct {
	LedgerNo      string
	CustomerNo    string
	CardToken     string
	MaskedNumber  string // "551000******1232"
	CardExpiry    string // "04/2035"
	ConsentExpiry string // "04-2035"
	CreatedAt     time.Time
}

// CardGateway is the payment service provider that verifies a card. Begin
// registers a registration and returns the URL to send the customer's
// browser to; base is the URL at which Kund itself is reached. The gateway
// reports the outcome with Service.FinishCardRegistration.
type CardGateway interface {
	Begin(ctx context.Context, reg *CardRegistration, base string) (redirectURL string, err error)
}

// UseCardGateway sets the card gateway of recurring-card registrations.
func (s *Service) UseCardGateway(g CardGateway) { s.cards = g }

// CardRegistrationInput is a registration request as sent.
type CardRegistrationInput struct {
	CompleteURL, CancelURL, Language string
}

func absoluteURL(p *Problems, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		p.Add(field, "is required")
		return ""
	}
	if msg := CheckText(s); msg != "" {
		p.Add(field, msg)
		return s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2000 {
		p.Add(field, "must be an absolute http or https URL")
	}
	return s
}

// StartCardRegistration begins a recurring-card registration; only one may
// be Initialized at a time.
func (s *Service) StartCardRegistration(ctx context.Context, ledgerNo, customerNo string, in *CardRegistrationInput, base string) (*CardRegistration, error) {
	var p Problems
	reg := &CardRegistration{
		LedgerNo: ledgerNo, CustomerNo: customerNo, Status: CardInitialized,
		CompleteURL: absoluteURL(&p, "completeUrl", in.CompleteURL),
		CancelURL:   absoluteURL(&p, "cancelUrl", in.CancelURL),
	}
	lang := strings.TrimSpace(in.Language)
	for _, l := range CardLanguages {
		if strings.EqualFold(l, lang) {
			reg.Language = l
		}
	}
	if lang == "" {
		p.Add("language", "is required")
	} else if reg.Language == "" {
		p.Add("language", "must be one of en-US, sv-SE, nb-NO, da-DK and fi-FI")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if _, err := s.Customer(ctx, ledgerNo, customerNo); err != nil {
		return nil, err
	}
	if s.cards == nil {
		return nil, Errorf(EUNAVAILABLE, "No card gateway is configured.")
	}
	// An earlier registration that timed out does not block a new one.
	if latest, err := s.store.LatestCardRegistration(ctx, ledgerNo, customerNo); err == nil {
		if _, err := s.expire(ctx, latest); err != nil {
			return nil, err
		}
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	var b [16]byte
	rand.Read(b[:])
	reg.ID = hex.EncodeToString(b[:])
	reg.CreatedAt = s.Now()
	reg.UpdatedAt = reg.CreatedAt
	u, err := s.cards.Begin(ctx, reg, base)
	if err != nil {
		return nil, err
	}
	reg.RedirectURL = u
	if err := s.store.CreateCardRegistration(ctx, reg); err != nil {
		return nil, err
	}
	return reg, nil
}

// CardRegistration returns the customer's latest registration.
func (s *Service) CardRegistration(ctx context.Context, ledgerNo, customerNo string) (*CardRegistration, error) {
	if _, err := s.Customer(ctx, ledgerNo, customerNo); err != nil {
		return nil, err
	}
	reg, err := s.store.LatestCardRegistration(ctx, ledgerNo, customerNo)
	if err != nil {
		return nil, err
	}
	return s.expire(ctx, reg)
}

// CardRegistrationByID returns a registration by its id (for the gateway).
func (s *Service) CardRegistrationByID(ctx context.Context, id string) (*CardRegistration, error) {
	reg, err := s.store.CardRegistration(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.expire(ctx, reg)
}

// CardRegistrationTTL is how long an Initialized registration waits for the
// card holder. After it the registration is Aborted, so that its page can
// no longer turn a card number into a consent.
const CardRegistrationTTL = 30 * time.Minute

// expire aborts reg if it waited longer than CardRegistrationTTL.
func (s *Service) expire(ctx context.Context, reg *CardRegistration) (*CardRegistration, error) {
	now := s.Now()
	if reg.Status != CardInitialized || now.Before(reg.CreatedAt.Add(CardRegistrationTTL)) {
		return reg, nil
	}
	r, err := s.store.FinishCardRegistration(ctx, reg.ID, CardAborted, nil, now)
	if ErrorCode(err) == ECONFLICT {
		// Finished in the meantime; that outcome stands.
		return s.store.CardRegistration(ctx, reg.ID)
	}
	return r, err
}

// FinishCardRegistration records the gateway's outcome of an Initialized
// registration: Completed with the consent, or Aborted or Failed without.
func (s *Service) FinishCardRegistration(ctx context.Context, id, status string, consent *CardConsent) (*CardRegistration, error) {
	if (status == CardCompleted) != (consent != nil) || !slices.Contains([]string{CardCompleted, CardAborted, CardFailed}, status) {
		return nil, Errorf(EINTERNAL, "a card registration finishes as Completed with a consent, or Aborted or Failed without")
	}
	reg, err := s.CardRegistrationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if reg.Status != CardInitialized {
		return nil, Errorf(ECONFLICT, "The registration is %s already.", reg.Status)
	}
	now := s.Now()
	if consent != nil {
		consent.CreatedAt = now
	}
	return s.store.FinishCardRegistration(ctx, id, status, consent, now)
}

// CardConsent returns the customer's active recurring-card consent.
func (s *Service) CardConsent(ctx context.Context, ledgerNo, customerNo string) (*CardConsent, error) {
	if _, err := s.Customer(ctx, ledgerNo, customerNo); err != nil {
		return nil, err
	}
	return s.store.CardConsent(ctx, ledgerNo, customerNo)
}

// DeleteCardConsent removes the recurring-card consent and RecurringCard
// from the customer's active consents.
func (s *Service) DeleteCardConsent(ctx context.Context, ledgerNo, customerNo string) error {
	if _, err := s.Customer(ctx, ledgerNo, customerNo); err != nil {
		return err
	}
	return s.store.DeleteCardConsent(ctx, ledgerNo, customerNo, s.Now())
}

// SetConsent adds (on) or removes a consent the ledger manages.
func (s *Service) SetConsent(ctx context.Context, ledgerNo, customerNo, name string, on bool) (*Customer, error) {
	canon := ""
	for _, c := range LedgerConsents {
		if strings.EqualFold(c, name) {
			canon = c
		}
	}
	if canon == "" {
		if strings.EqualFold(name, ConsentRecurringCard) {
			return nil, ValidationError("name", "RecurringCard is given by a card registration and removed with DELETE consent/recurring-card")
		}
		return nil, Errorf(ENOTFOUND, "There is no such consent.")
	}
	return s.update(ctx, ledgerNo, customerNo, "", func(c *Customer) error {
		i := slices.Index(c.ActiveConsents, canon)
		switch {
		case on && i < 0:
			c.ActiveConsents = append(c.ActiveConsents, canon)
		case !on && i >= 0:
			c.ActiveConsents = slices.Delete(c.ActiveConsents, i, i+1)
		case !on:
			return Errorf(ENOTFOUND, "The customer has no such consent.")
		}
		return nil
	})
}
