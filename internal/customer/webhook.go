package customer

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A Webhook asks Kund to POST each of a ledger's events whose type it
// names to a URL, signed with its secret (internal/events delivers).
type Webhook struct {
	LedgerNo    string
	ID          int64
	URL         string
	Events      []string // event types, or "customer.*" for every type
	Description string
	// Secret keys the signature; the store keeps it sealed, and an API
	// shows it only when the webhook is created.
	Secret    string
	CreatedAt time.Time
}

// Matches reports whether the webhook wants events of type typ.
func (w *Webhook) Matches(typ string) bool {
	for _, e := range w.Events {
		if e == typ || e == AllEvents {
			return true
		}
	}
	return false
}

// AllEvents is the webhook event pattern of every event type.
const AllEvents = "customer.*"

// Delivery states.
const (
	DeliveryPending   = "pending"   // to be sent at NextAttemptAt
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // every attempt for three days failed
)

// WebhookRetryWindow is how long a delivery is retried before it is
// failed.
const WebhookRetryWindow = 72 * time.Hour

// A Delivery is one event on its way to one webhook.
type Delivery struct {
	ID            int64
	WebhookID     int64
	LedgerNo      string
	Sequence      int64
	EventType     string
	State         string
	Attempts      int
	CreatedAt     time.Time
	NextAttemptAt time.Time // zero unless pending
	Deadline      time.Time // no attempt after it: the delivery fails
	LastAttemptAt time.Time
	LastStatus    int    // the HTTP status of the last answer; 0: none
	LastError     string // why the last attempt failed, when it did
	LastResponse  string // the start of the last answer's body
	DeliveredAt   time.Time
	// Claim identifies the claim of an attempt in flight (the time it runs
	// out, in the store's units); 0: none.
	Claim int64
}

// A PendingDelivery is a delivery claimed for an attempt, with what the
// attempt sends: its webhook (nil when deleted since) and its event (nil
// when the retention deleted it).
type PendingDelivery struct {
	Delivery *Delivery
	Webhook  *Webhook
	Event    *Event
	// Problem says why the delivery can never be sent ("": none).
	Problem string
}

// A DeliveryOutcome is what an attempt of a delivery ended in.
type DeliveryOutcome struct {
	ID            int64
	Claim         int64 // the attempt's claim (Delivery.Claim)
	At            time.Time
	State         string
	NextAttemptAt time.Time // when State is pending
	Status        int
	Error         string
	Response      string
}

// WebhookStore keeps webhooks and their deliveries.
type WebhookStore interface {
	// CreateWebhook stores w, which follows the ledger's journal from its
	// current end, and sets w.ID; ECONFLICT when the ledger has
	// MaxWebhooks already.
	CreateWebhook(ctx context.Context, w *Webhook) error
	// Webhooks are a ledger's webhooks, oldest first, without secrets.
	Webhooks(ctx context.Context, ledgerNo string) ([]*Webhook, error)
	// Webhook is one of them; ENOTFOUND when the ledger has no such.
	Webhook(ctx context.Context, ledgerNo string, id int64) (*Webhook, error)
	// DeleteWebhook removes a webhook and its deliveries; ENOTFOUND.
	DeleteWebhook(ctx context.Context, ledgerNo string, id int64) error
	// Deliveries are a webhook's deliveries, newest first.
	Deliveries(ctx context.Context, ledgerNo string, webhookID int64, skip, limit int) ([]*Delivery, error)
	// RetryDelivery makes a delivery pending again, due at now, with a new
	// retry window; ENOTFOUND when the webhook has no such delivery.
	RetryDelivery(ctx context.Context, ledgerNo string, webhookID, deliveryID int64, now time.Time) (*Delivery, error)
}

// Limits of a webhook's fields.
const (
	maxWebhookURL         = 2048
	maxWebhookDescription = 500
)

// MaxWebhooks is how many webhooks a ledger may have.
const MaxWebhooks = 50

// WebhookID, DeliveryID and their parsers name webhooks and deliveries on
// the wire: "WHK" or "DLV" and ten digits.
func WebhookID(id int64) string  { return fmt.Sprintf("WHK%010d", id) }
func DeliveryID(id int64) string { return fmt.Sprintf("DLV%010d", id) }

// ParseWebhookID is the number of a webhook id; false when s is none.
func ParseWebhookID(s string) (int64, bool) { return parseID(s, "WHK") }

// ParseDeliveryID is the number of a delivery id; false when s is none.
func ParseDeliveryID(s string) (int64, bool) { return parseID(s, "DLV") }

func parseID(s, prefix string) (int64, bool) {
	digits, ok := strings.CutPrefix(s, prefix)
	if !ok || len(digits) != 10 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil && n > 0
}

// UseWebhookURLCheck sets the check of where a webhook may send to, which
// the delivery's network rules decide (internal/events); without one only
// the URL's form is checked.
func (s *Service) UseWebhookURLCheck(check func(ctx context.Context, u *url.URL) error) {
	s.webhookURLCheck = check
}

// CreateWebhook checks and stores a new webhook of a ledger with a new
// secret, which the returned webhook carries.
func (s *Service) CreateWebhook(ctx context.Context, ledgerNo, rawURL string, events []string, description string) (*Webhook, error) {
	var p Problems
	u, err := url.Parse(rawURL)
	switch {
	case rawURL == "":
		p.Add("url", "is required")
	case utf8.RuneCountInString(rawURL) > maxWebhookURL:
		p.Addf("url", "must be at most %d characters", maxWebhookURL)
	case err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		p.Add("url", "must be an absolute https:// URL")
	case u.User != nil:
		p.Add("url", "must not carry a user name or password")
	case u.Fragment != "":
		p.Add("url", "must not have a fragment")
	}
	if len(events) == 0 {
		p.Addf("events", "must name at least one event type, or %s", AllEvents)
	}
	for _, e := range events {
		if e != AllEvents && !slices.Contains(EventTypes, e) {
			p.Addf("events", "must be event types such as %s, or %s; %q is none", EventCustomerUpdated, AllEvents, e)
			break
		}
	}
	if utf8.RuneCountInString(description) > maxWebhookDescription {
		p.Addf("description", "must be at most %d characters", maxWebhookDescription)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if s.webhookURLCheck != nil {
		if err := s.webhookURLCheck(ctx, u); err != nil {
			return nil, ValidationError("url", err.Error())
		}
	} else if u.Scheme != "https" {
		return nil, ValidationError("url", "must be an absolute https:// URL")
	}
	if _, err := s.Ledger(ctx, ledgerNo); err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	w := &Webhook{LedgerNo: ledgerNo, URL: u.String(), Events: slices.Compact(slices.Sorted(slices.Values(events))),
		Description: description, Secret: "whsec_" + base64.RawURLEncoding.EncodeToString(secret), CreatedAt: s.Now()}
	if err := s.store.CreateWebhook(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// Webhooks are a ledger's webhooks, without their secrets.
func (s *Service) Webhooks(ctx context.Context, ledgerNo string) ([]*Webhook, error) {
	return s.store.Webhooks(ctx, ledgerNo)
}

// Webhook is one webhook of a ledger, by its wire id.
func (s *Service) Webhook(ctx context.Context, ledgerNo, id string) (*Webhook, error) {
	n, ok := ParseWebhookID(id)
	if !ok {
		return nil, Errorf(ENOTFOUND, "The ledger has no webhook %s.", id)
	}
	return s.store.Webhook(ctx, ledgerNo, n)
}

// DeleteWebhook removes a webhook of a ledger and its deliveries.
func (s *Service) DeleteWebhook(ctx context.Context, ledgerNo, id string) error {
	n, ok := ParseWebhookID(id)
	if !ok {
		return Errorf(ENOTFOUND, "The ledger has no webhook %s.", id)
	}
	return s.store.DeleteWebhook(ctx, ledgerNo, n)
}

// Deliveries are a webhook's deliveries, newest first; more reports
// whether older ones follow.
func (s *Service) Deliveries(ctx context.Context, ledgerNo, webhookID string, skip, take int) (ds []*Delivery, more bool, err error) {
	if err := checkPage(skip, take); err != nil {
		return nil, false, err
	}
	w, err := s.Webhook(ctx, ledgerNo, webhookID)
	if err != nil {
		return nil, false, err
	}
	ds, err = s.store.Deliveries(ctx, ledgerNo, w.ID, skip, take+1)
	if err != nil {
		return nil, false, err
	}
	if len(ds) > take {
		return ds[:take], true, nil
	}
	return ds, false, nil
}

// RetryDelivery sends a delivery again now, whatever its state, and
// retries it for another three days if that fails.
func (s *Service) RetryDelivery(ctx context.Context, ledgerNo, webhookID, deliveryID string) (*Delivery, error) {
	w, err := s.Webhook(ctx, ledgerNo, webhookID)
	if err != nil {
		return nil, err
	}
	n, ok := ParseDeliveryID(deliveryID)
	if !ok {
		return nil, Errorf(ENOTFOUND, "The webhook has no delivery %s.", deliveryID)
	}
	return s.store.RetryDelivery(ctx, ledgerNo, w.ID, n, s.Now())
}
