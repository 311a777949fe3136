package events

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kund/kund/internal/customer"
)

// Queue is where the deliverer takes its work from: the database, so that
// a delivery survives any crash (internal/sqlstore).
type Queue interface {
	// Dispatch makes the deliveries of the events that webhooks have not
	// seen yet, looking at most at limit events, and returns them claimed
	// for their first attempt; more: there may be further events.
	Dispatch(ctx context.Context, now time.Time, limit int, lease time.Duration) (claimed []*customer.PendingDelivery, more bool, err error)
	// Claim takes up to limit due deliveries until now+lease.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*customer.PendingDelivery, error)
	// Finish records outcomes and gives up their claims.
	Finish(ctx context.Context, outcomes []customer.DeliveryOutcome) error
	// ReleaseClaims gives up every claim.
	ReleaseClaims(ctx context.Context) error
}

// Config is how a Deliverer delivers.
type Config struct {
	// Render is the body of an event as receivers get it.
	Render func(*customer.Event) ([]byte, error)
	// AllowInsecure lets webhooks reach any address over http:// too.
	AllowInsecure bool
	// Exclusive says that no other deliverer works on the queue (one
	// Kund on a SQLite file): claims a crash left are given up at start.
	Exclusive bool
	// Workers is how many deliveries are in flight at most (128).
	Workers int
	// Poll is how often the queue is looked at when nothing woke the
	// deliverer (200 ms): writes of other Kund processes, and retries
	// coming due.
	Poll time.Duration
	// Backoff is the wait after a failed attempt (the first is 1), before
	// jitter; nil: 30 s doubled at each attempt, at most 12 h.
	Backoff func(attempt int) time.Duration
	// Timeout bounds an attempt (10 s).
	Timeout time.Duration
	Now     func() time.Time
	Log     *slog.Logger
	// Quiet marks the queue's own transactions, so that they do not wake
	// the deliverer as the writes of events do; nil: none.
	Quiet func(context.Context) context.Context
}

// The shape of the queue's work.
const (
	claimBatch = 256
	// excerptSize is how much of a receiver's answer is kept.
	excerptSize = 256
)

// Deliverer sends each delivery of the queue to its webhook and records
// the outcome: delivered on a 2xx answer, else retried with exponential
// backoff and jitter until the delivery's deadline, then failed.
type Deliverer struct {
	q      Queue
	cfg    Config
	client *http.Client
	wake   chan struct{}
}

// NewDeliverer returns a deliverer of q's deliveries.
func NewDeliverer(q Queue, cfg Config) *Deliverer {
	if cfg.Workers <= 0 {
		cfg.Workers = 128
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Quiet == nil {
		cfg.Quiet = func(ctx context.Context) context.Context { return ctx }
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	if !cfg.AllowInsecure {
		dialer.Control = dialControl
	}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          cfg.Workers * 2,
		MaxIdleConnsPerHost:   cfg.Workers,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
	}
	return &Deliverer{q: q, cfg: cfg, wake: make(chan struct{}, 1),
		client: &http.Client{
			Transport: transport,
			Timeout:   cfg.Timeout,
			// A redirect is an answer, not a new address to send to.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
}

// DefaultBackoff is 30 s doubled at each failed attempt, at most 12 h:
// about fourteen attempts in three days.
func DefaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < 12*time.Hour; i++ {
		d *= 2
	}
	return min(d, 12*time.Hour)
}

// Wake tells the deliverer that events were committed; it never blocks.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for the attempts in flight (a
// cut-off one is due again at once) and records their outcomes.
func (d *Deliverer) Run(ctx context.Context) error {
	qctx := d.cfg.Quiet(ctx)
	if d.cfg.Exclusive {
		if err := d.q.ReleaseClaims(qctx); err != nil {
			d.fault(ctx, "release claims", err) // they run out on their own
		}
	}
	outcomes := make(chan customer.DeliveryOutcome, d.cfg.Workers)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		d.finish(d.cfg.Quiet(context.Background()), outcomes)
	}()
	slots := make(chan struct{}, d.cfg.Workers)
	freed := make(chan struct{}, 1)
	var inflight sync.WaitGroup
	defer func() {
		inflight.Wait()
		close(outcomes)
		<-finished
	}()
	// A claim outlasts an attempt (the timeout), its wait for a worker and
	// the recording of its outcome, with room to spare.
	lease := 2*d.cfg.Timeout + 10*time.Second
	send := func(claimed []*customer.PendingDelivery) {
		for _, p := range claimed {
			slots <- struct{}{}
			inflight.Add(1)
			go func() {
				defer inflight.Done()
				outcomes <- d.attempt(ctx, p)
				<-slots
				select {
				case freed <- struct{}{}:
				default:
				}
			}()
		}
	}
	for ctx.Err() == nil {
		began := time.Now()
		busy := false
		// New events first, then the retries that have come due; each
		// only as many as there are free workers, and new events leave a
		// quarter of them to the retries.
		if free := cap(slots) - len(slots); free > 0 {
			claimed, more, err := d.q.Dispatch(qctx, d.cfg.Now(), max(1, free-free/4), lease)
			if err != nil {
				d.fault(ctx, "dispatch", err)
			}
			busy = more
			send(claimed)
		}
		if free := cap(slots) - len(slots); free > 0 {
			want := min(free, claimBatch)
			claimed, err := d.q.Claim(qctx, d.cfg.Now(), lease, want)
			if err != nil {
				d.fault(ctx, "claim", err)
			}
			busy = busy || len(claimed) == want
			send(claimed)
		}
		if busy && len(slots) < cap(slots) {
			continue
		}
		select {
		case <-ctx.Done():
		case <-d.wake:
			// Writes wake the deliverer by the thousand a second; it looks
			// at most every minCycle, so that looking costs the writes
			// nothing much (two queries a look).
			if wait := minCycle - time.Since(began); wait > 0 {
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
			}
		case <-freed:
		case <-time.After(d.cfg.Poll):
		}
	}
	return nil
}

// minCycle is the least time between two looks at the queue that writes
// woke.
const minCycle = 20 * time.Millisecond

// fault logs a failure of the queue and waits a little, so that a
// database that is away is not asked in a tight loop.
func (d *Deliverer) fault(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	d.cfg.Log.Error("webhook queue", slog.String("step", what), slog.String("error", err.Error()))
	select {
	case <-ctx.Done():
	case <-time.After(time.Second):
	}
}

// finish records outcomes in batches until the channel closes. An outcome
// that cannot be recorded is tried again; one lost to a crash leaves its
// delivery claimed, to be sent again when the claim runs out.
func (d *Deliverer) finish(ctx context.Context, outcomes <-chan customer.DeliveryOutcome) {
	batch := make([]customer.DeliveryOutcome, 0, claimBatch)
	for o := range outcomes {
		batch = append(batch[:0], o)
	more:
		for len(batch) < claimBatch {
			select {
			case o, ok := <-outcomes:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		for attempt := 0; ; attempt++ {
			err := d.q.Finish(ctx, batch)
			if err == nil {
				break
			}
			d.cfg.Log.Error("webhook queue", slog.String("step", "finish"), slog.String("error", err.Error()))
			if attempt == 4 {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
	}
}

// attempt sends one delivery and says what became of it.
func (d *Deliverer) attempt(ctx context.Context, p *customer.PendingDelivery) customer.DeliveryOutcome {
	dv := p.Delivery
	o := customer.DeliveryOutcome{ID: dv.ID, Claim: dv.Claim}
	switch {
	case p.Problem != "":
		return d.outcome(o, dv, 0, p.Problem, "", true)
	case p.Webhook == nil:
		return d.outcome(o, dv, 0, "the webhook was deleted", "", true)
	case p.Event == nil:
		return d.outcome(o, dv, 0, "the event is no longer in the journal (its retention ended)", "", true)
	}
	body, err := d.cfg.Render(p.Event)
	if err != nil {
		d.cfg.Log.Error("webhook render", slog.Int64("delivery", dv.ID), slog.String("error", err.Error()))
		return d.outcome(o, dv, 0, "the event could not be rendered", "", false)
	}
	actx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, p.Webhook.URL, bytes.NewReader(body))
	if err != nil {
		return d.outcome(o, dv, 0, "the URL cannot be sent to", "", true)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Kund-Webhooks/1")
	req.Header.Set("Kund-Event-Id", customer.EventID(p.Event.Sequence))
	req.Header.Set("Kund-Event-Type", p.Event.Type)
	req.Header.Set("Kund-Delivery-Id", customer.DeliveryID(dv.ID))
	req.Header.Set(SignatureHeader, Sign(p.Webhook.Secret, d.cfg.Now(), body))
	resp, err := d.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			// Kund is stopping: the attempt does not count against the
			// receiver, and the delivery is due again at once.
			o.At, o.State, o.NextAttemptAt, o.Error = d.cfg.Now(), customer.DeliveryPending, d.cfg.Now(), "Kund stopped during the attempt"
			return o
		}
		return d.outcome(o, dv, 0, describe(err), "", false)
	}
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, excerptSize))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so that the connection is reused
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		o.At, o.State, o.Status, o.Response = d.cfg.Now(), customer.DeliveryDelivered, resp.StatusCode, text(excerpt)
		return o
	}
	return d.outcome(o, dv, resp.StatusCode, "the receiver answered "+strconv.Itoa(resp.StatusCode), text(excerpt), false)
}

// outcome is a failed attempt: retried after the backoff with jitter, or
// failed when final or when the deadline has passed.
func (d *Deliverer) outcome(o customer.DeliveryOutcome, dv *customer.Delivery, status int, reason, response string, final bool) customer.DeliveryOutcome {
	now := d.cfg.Now()
	o.At, o.Status, o.Error, o.Response = now, status, reason, response
	if final || !now.Before(dv.Deadline) {
		o.State = customer.DeliveryFailed
		return o
	}
	wait := d.cfg.Backoff(dv.Attempts)
	wait = wait/2 + rand.N(wait/2+1) // jitter: receivers that failed together do not come back together
	o.State, o.NextAttemptAt = customer.DeliveryPending, now.Add(wait)
	if o.NextAttemptAt.After(dv.Deadline) {
		o.NextAttemptAt = dv.Deadline
	}
	return o
}

// describe is why a request failed, without the URL (which may carry a
// token of the receiver's).
func describe(err error) string {
	var s string
	switch {
	case strings.Contains(err.Error(), "is not a public address"):
		s = "the URL resolves to an address that is not public"
	case strings.Contains(err.Error(), "Client.Timeout") || strings.Contains(err.Error(), "deadline exceeded"):
		s = "no answer within the timeout"
	case strings.Contains(err.Error(), "connection refused"):
		s = "the connection was refused"
	case strings.Contains(err.Error(), "no such host"):
		s = "the host does not resolve"
	case strings.Contains(err.Error(), "certificate"):
		s = "the receiver's TLS certificate is not valid"
	default:
		s = "the request failed"
	}
	return s
}

// text is an excerpt of an answer as valid UTF-8.
func text(b []byte) string {
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1]
	}
	return string(b)
}
