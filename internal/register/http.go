package register

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HTTPOptions configure an HTTP register provider. Zero values take the
// defaults.
type HTTPOptions struct {
	// Timeout bounds a whole lookup, retries included (default 2 s): a
	// register that cannot answer in time is unavailable, and the caller
	// gets its 503 quickly.
	Timeout time.Duration
	// Retries after the first attempt (default 2; negative: none).
	Retries int
	// Backoff before the first retry, doubled for each next one, with
	// jitter (default 50 ms).
	Backoff time.Duration
	// BreakerFailures in a row open the circuit (default 5); while open,
	// lookups fail at once for BreakerCooldown (default 10 s), then one
	// trial lookup decides whether it closes again.
	BreakerFailures int
	BreakerCooldown time.Duration
	// Client is the HTTP client (default: one with no timeout of its own,
	// since every request carries the lookup's deadline).
	Client *http.Client
	// Now is the clock of the circuit breaker (default time.Now).
	Now func() time.Time
	// FeedTimeout bounds one request of the change feed (default 30 s).
	// The feed has no retries and no circuit breaker of its own: the
	// monitor that reads it backs off, and no caller waits for it.
	FeedTimeout time.Duration
}

// HTTP is the Provider of a register behind the JSON contract of
// docs/register.md: POST {base}/lookup with {"country","regNo"} or
// {"phone"}; 200 with the person, 404 not found, 409 ambiguous phone.
type HTTP struct {
	base string
	o    HTTPOptions

	mu       sync.Mutex
	failures int
	openedAt time.Time // zero while closed
	trial    bool      // a half-open trial is under way
}

// NewHTTP returns a provider for the register at base (http or https URL).
func NewHTTP(base string, o HTTPOptions) (*HTTP, error) {
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("register URL must start with http:// or https://")
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Retries == 0 {
		o.Retries = 2
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = 50 * time.Millisecond
	}
	if o.BreakerFailures <= 0 {
		o.BreakerFailures = 5
	}
	if o.BreakerCooldown <= 0 {
		o.BreakerCooldown = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.FeedTimeout <= 0 {
		o.FeedTimeout = 30 * time.Second
	}
	return &HTTP{base: strings.TrimSuffix(base, "/"), o: o}, nil
}

type lookupRequest struct {
	Country string `json:"country,omitempty"`
	RegNo   string `json:"regNo,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

// personJSON is a person on the wire: the register file's columns.
type personJSON struct {
	Country           string `json:"country"`
	RegNo             string `json:"regNo"`
	FirstName         string `json:"firstName"`
	LastName          string `json:"lastName"`
	CoAddress         string `json:"coAddress"`
	StreetAddress     string `json:"streetAddress"`
	ZipCode           string `json:"zipCode"`
	City              string `json:"city"`
	ProtectedIdentity bool   `json:"protectedIdentity"`
	Deceased          bool   `json:"deceased"`
	Phone             string `json:"phone"`
}

// Lookup asks the register by identity number.
func (h *HTTP) Lookup(ctx context.Context, country, regNo string) (*Person, error) {
	p, err := h.lookup(ctx, lookupRequest{Country: country, RegNo: regNo})
	if err == nil && (p.Country != country || p.RegNo != regNo) {
		return nil, unavailable("the register answered about another person")
	}
	return p, err
}

// LookupPhone asks the register by phone number.
func (h *HTTP) LookupPhone(ctx context.Context, phone string) (*Person, error) {
	p, err := h.lookup(ctx, lookupRequest{Phone: phone})
	if err == nil && p.Phone != phone {
		return nil, unavailable("the register answered about another phone number")
	}
	return p, err
}

func (h *HTTP) lookup(ctx context.Context, req lookupRequest) (*Person, error) {
	if err := h.admit(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, h.o.Timeout)
	defer cancel()
	body, _ := json.Marshal(req)
	var err error
	for attempt := 0; ; attempt++ {
		var p *Person
		var retry bool
		p, retry, err = h.attempt(ctx, body)
		if !retry || attempt == h.o.Retries {
			h.settle(err)
			return p, err
		}
		// Exponential backoff with full jitter, cut short by the deadline.
		d := h.o.Backoff << attempt
		d = d/2 + rand.N(d/2+1)
		select {
		case <-ctx.Done():
			h.settle(err)
			return nil, unavailable("no answer in %s", h.o.Timeout)
		case <-time.After(d):
		}
	}
}

// attempt makes one request. retry says whether another attempt may help:
// the lookup is read-only, so repeating it is safe.
func (h *HTTP) attempt(ctx context.Context, body []byte) (p *Person, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/lookup", bytes.NewReader(body))
	if err != nil {
		return nil, false, unavailable("%v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := h.o.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, unavailable("no answer in %s", h.o.Timeout)
		}
		return nil, true, unavailable("the register cannot be reached")
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return nil, ctx.Err() == nil, unavailable("the answer could not be read")
	}
	switch {
	case res.StatusCode == http.StatusOK:
	case res.StatusCode == http.StatusNotFound:
		return nil, false, ErrNotFound
	case res.StatusCode == http.StatusConflict:
		return nil, false, ErrAmbiguous
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return nil, true, unavailable("the register answered %d", res.StatusCode)
	default:
		return nil, false, unavailable("the register answered %d", res.StatusCode)
	}
	var pj personJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pj); err != nil {
		return nil, false, unavailable("the answer is not a person: %v", err)
	}
	p, msg := pj.person(h.o.Now())
	if msg != "" {
		return nil, false, unavailable("the register's answer is not valid: %s", msg)
	}
	return p, false, nil
}

// person checks a person of an answer exactly like a row of the register
// file.
func (pj *personJSON) person(now time.Time) (*Person, string) {
	return parseRow([]string{pj.Country, pj.RegNo, pj.FirstName, pj.LastName, pj.CoAddress, pj.StreetAddress,
		pj.ZipCode, pj.City, strconv.FormatBool(pj.ProtectedIdentity), strconv.FormatBool(pj.Deceased), pj.Phone}, now)
}

// changesJSON is the answer of GET {base}/changes.
type changesJSON struct {
	Changes []struct {
		ID     string     `json:"id"`
		Kinds  []string   `json:"kinds"`
		Person personJSON `json:"person"`
	} `json:"changes"`
}

// Changes asks the register for the changes after cursor (Feed):
// GET {base}/changes?after=CURSOR&limit=N, answered 200 with
// {"changes":[{"id","kinds","person"}]}, oldest first, or 410 when the
// register no longer keeps what follows cursor.
func (h *HTTP) Changes(ctx context.Context, cursor string, limit int) ([]Change, error) {
	ctx, cancel := context.WithTimeout(ctx, h.o.FeedTimeout)
	defer cancel()
	u := h.base + "/changes?after=" + url.QueryEscape(cursor) + "&limit=" + strconv.Itoa(limit)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, unavailable("%v", err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := h.o.Client.Do(req)
	if err != nil {
		return nil, unavailable("the register's change feed cannot be reached")
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusGone:
		return nil, ErrCursorExpired
	default:
		return nil, unavailable("the register's change feed answered %d", res.StatusCode)
	}
	var cj changesJSON
	dec := json.NewDecoder(io.LimitReader(res.Body, 64<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cj); err != nil {
		return nil, unavailable("the change feed's answer is not a list of changes: %v", err)
	}
	if len(cj.Changes) > limit {
		return nil, unavailable("the change feed answered %d changes, more than the %d asked for", len(cj.Changes), limit)
	}
	now := h.o.Now()
	out := make([]Change, 0, len(cj.Changes))
	for _, c := range cj.Changes {
		if c.ID == "" {
			return nil, unavailable("the change feed answered a change without an id")
		}
		ch := Change{ID: c.ID}
		for _, k := range c.Kinds {
			if slices.Contains(Kinds, k) {
				ch.Kinds = append(ch.Kinds, k)
			}
		}
		// A person the contract does not allow is one change skipped, not
		// a feed stuck behind it.
		if p, msg := c.Person.person(now); msg != "" {
			ch.Invalid = msg
		} else {
			ch.Person = *p
		}
		out = append(out, ch)
	}
	return out, nil
}

// admit refuses a lookup while the circuit is open, and lets exactly one
// trial through once the cooldown has passed.
func (h *HTTP) admit() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.openedAt.IsZero() {
		return nil
	}
	if h.trial || h.o.Now().Sub(h.openedAt) < h.o.BreakerCooldown {
		return unavailable("the circuit to the register is open after %d failures", h.failures)
	}
	h.trial = true
	return nil
}

// settle records the outcome of a lookup for the circuit breaker. Not
// found and ambiguous are answers, not failures.
func (h *HTTP) settle(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.trial = false
	if err == nil || !errors.Is(err, ErrUnavailable) {
		h.failures, h.openedAt = 0, time.Time{}
		return
	}
	h.failures++
	if h.failures >= h.o.BreakerFailures {
		h.openedAt = h.o.Now()
	}
}

// Open reports whether the circuit is open (for health reports and tests).
func (h *HTTP) Open() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.openedAt.IsZero()
}
