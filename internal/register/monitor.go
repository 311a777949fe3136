package register

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kund/kund/internal/customer"
)

// Purposes and credentials of monitoring in the disclosure log.
const (
	PurposeMonitor = "register-monitoring"
	PurposeRefresh = "register-refresh"
	// The "credential" of an entry that no caller asked for.
	MonitorID = "register-monitor"
	RefreshID = "register-refresh"
)

// Outcomes of a change of the feed in the metrics and the log.
const (
	ChangeApplied   = "applied"   // a customer changed
	ChangeUnchanged = "unchanged" // a customer was in step already
	ChangeSkipped   = "skipped"   // a customer the change does not apply to
	ChangeUnmatched = "unmatched" // no customer of a monitored ledger carries the number
	ChangeInvalid   = "invalid"   // the register sent a person the contract does not allow
)

// Stale is a customer whose legal address is due for a refresh. The
// refresh reads the customer itself: the store need not know the identity
// number in the clear.
type Stale struct {
	ID         int64 // the store's order, the refresh's cursor
	CustomerNo string
}

// MonitorStore keeps how far the feed and the refreshes got, and knows the
// ledgers that opted in.
type MonitorStore interface {
	// RegisterCursor returns the cursor kept under name, "" when none.
	RegisterCursor(ctx context.Context, name string) (string, error)
	SetRegisterCursor(ctx context.Context, name, cursor string, at time.Time) error
	DeleteRegisterCursor(ctx context.Context, name string) error
	// MonitoredLedgers are the ledgers with register monitoring on.
	MonitoredLedgers(ctx context.Context) ([]string, error)
	// StaleLegalAddresses returns up to limit consumers of a ledger with
	// a Nordic identity number, by ascending ID after afterID, whose
	// legal address was last confirmed before confirmedBefore or never;
	// CountStaleLegalAddresses counts them without a limit.
	StaleLegalAddresses(ctx context.Context, ledgerNo string, confirmedBefore time.Time, afterID int64, limit int) ([]Stale, error)
	CountStaleLegalAddresses(ctx context.Context, ledgerNo string, confirmedBefore time.Time, afterID int64) (int, error)
}

// MonitorOptions configure a Monitor; zero values take the defaults.
type MonitorOptions struct {
	Poll       time.Duration // how long an idle feed rests before it is asked again (10 s)
	Batch      int           // changes asked for at a time (100)
	Workers    int           // changes of a batch applied side by side (16)
	MinBackoff time.Duration // the first wait after a failure, doubled for each next (1 s)
	MaxBackoff time.Duration // the longest wait (5 min)
	Log        *slog.Logger
	Registry   prometheus.Registerer // nil: no metrics
}

// Monitor follows a register's change feed and applies every change to
// the customers carrying the person's number in every ledger that opted
// in. The cursor is kept in the database after each batch; applying a
// change is bringing a customer in step with the person's state, so a
// batch applied again after a crash changes nothing twice.
type Monitor struct {
	feed      Feed
	svc       *Service
	customers *customer.Service
	store     MonitorStore
	o         MonitorOptions
	wake      chan struct{}
	changes   *prometheus.CounterVec
	skipped   *prometheus.CounterVec
	failures  prometheus.Counter
}

// feedCursor names the feed's cursor in MonitorStore.
const feedCursor = "feed"

// NewMonitor returns a monitor of feed.
func NewMonitor(feed Feed, svc *Service, customers *customer.Service, store MonitorStore, o MonitorOptions) *Monitor {
	if o.Poll <= 0 {
		o.Poll = 10 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(5*time.Minute, o.MinBackoff)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	m := &Monitor{feed: feed, svc: svc, customers: customers, store: store, o: o, wake: make(chan struct{}, 1),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kund_register_changes_total",
			Help: "Changes of the register's feed by outcome: per customer applied, unchanged or skipped; per change unmatched or invalid."}, []string{"outcome"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kund_register_changes_skipped_total",
			Help: "Changes of the register, from the feed or a refresh, not applied to a customer (or in part), by reason."}, []string{"reason"}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "kund_register_feed_failures_total",
			Help: "Requests of the register's change feed that failed (each is retried with backoff)."}),
	}
	for _, o := range []string{ChangeApplied, ChangeUnchanged, ChangeSkipped, ChangeUnmatched, ChangeInvalid} {
		m.changes.WithLabelValues(o)
	}
	if o.Registry != nil {
		o.Registry.MustRegister(m.changes, m.skipped, m.failures)
	}
	return m
}

// Wake makes an idle monitor ask the feed now (a register file reloaded).
func (m *Monitor) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run follows the feed until ctx ends. A register or a database that
// fails is asked again after a backoff; nothing else waits for it.
func (m *Monitor) Run(ctx context.Context) error {
	failures := 0
	for {
		n, err := m.Step(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := m.o.Poll
		switch {
		case err != nil:
			m.failures.Inc()
			d := min(m.o.MinBackoff<<min(failures, 20), m.o.MaxBackoff)
			wait = d/2 + rand.N(d/2+1)
			failures++
			m.o.Log.Warn("register feed: no progress, trying again", slog.String("error", err.Error()),
				slog.Int("failures", failures), slog.Duration("retry_in", wait))
		case n == m.o.Batch:
			failures, wait = 0, 0 // more is waiting
		default:
			failures = 0
		}
		if wait == 0 {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-m.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Step applies the next batch of the feed and keeps its cursor. It
// returns how many changes the feed gave.
func (m *Monitor) Step(ctx context.Context) (int, error) {
	cursor, err := m.store.RegisterCursor(ctx, feedCursor)
	if err != nil {
		return 0, err
	}
	changes, err := m.feed.Changes(ctx, cursor, m.o.Batch)
	if errors.Is(err, ErrCursorExpired) {
		// Reading again from the oldest change is safe: what is applied
		// already changes nothing. What the register dropped is lost to
		// the feed, and a refresh is what catches up on it.
		m.o.Log.Error("register feed: the register no longer keeps the changes after Kund's cursor; reading from its oldest (run kund register refresh to catch up)")
		changes, err = m.feed.Changes(ctx, "", m.o.Batch)
	}
	if err != nil || len(changes) == 0 {
		return 0, err
	}
	ledgers, err := m.store.MonitoredLedgers(ctx)
	if err != nil {
		return 0, err
	}
	if err := m.applyAll(ctx, ledgers, coalesce(changes)); err != nil {
		return 0, err // the cursor stays: the batch is applied again
	}
	return len(changes), m.store.SetRegisterCursor(ctx, feedCursor, changes[len(changes)-1].ID, m.svc.now())
}

// applyAll applies the changes of a batch, Workers at a time. After
// coalesce no two are about one person, hence about one customer, so
// their order does not matter; side by side their commits share the
// database's group commits instead of waiting for one each.
func (m *Monitor) applyAll(ctx context.Context, ledgers []string, cs []Change) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan Change)
	errs := make(chan error, m.o.Workers)
	var wg sync.WaitGroup
	for range min(m.o.Workers, len(cs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range work {
				if err := m.apply(ctx, ledgers, ch); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for _, ch := range cs {
		select {
		case work <- ch:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

// coalesce keeps one change per person, at the place of the person's
// last, with the person's last state and every kind: a person who moved
// twice in a batch is applied once, and a batch applied again after a
// crash does not go through the earlier state again.
func coalesce(cs []Change) []Change {
	last := map[string]int{}
	for i, c := range cs {
		if c.Invalid == "" {
			last[idKey(c.Person.Country, c.Person.RegNo)] = i
		}
	}
	kinds := map[string][]string{}
	var out []Change
	for i, c := range cs {
		if c.Invalid != "" {
			out = append(out, c)
			continue
		}
		k := idKey(c.Person.Country, c.Person.RegNo)
		for _, kind := range c.Kinds {
			if !slices.Contains(kinds[k], kind) {
				kinds[k] = append(kinds[k], kind)
			}
		}
		if last[k] == i {
			c.Kinds = kinds[k]
			out = append(out, c)
		}
	}
	return out
}

// apply applies one change to every matching customer of the ledgers.
func (m *Monitor) apply(ctx context.Context, ledgers []string, ch Change) error {
	if ch.Invalid != "" {
		m.changes.WithLabelValues(ChangeInvalid).Inc()
		m.skipped.WithLabelValues("invalid-person").Inc()
		m.o.Log.Warn("register change skipped", slog.String("change", ch.ID), slog.String("reason", "invalid-person: "+ch.Invalid))
		return nil
	}
	p := &ch.Person
	id := customer.NationalID{RegNo: p.RegNo, CountryCode: p.Country}
	jctx := customer.WithJournal(ctx, customer.Journal{Actor: customer.Actor{Type: customer.ActorRegister, ID: MonitorID},
		RequestID: "register-change:" + ch.ID})
	matched := false
	for _, l := range ledgers {
		cs, err := m.customers.MatchingCustomers(ctx, l, id, 100)
		if err != nil {
			return err
		}
		for _, c := range cs {
			matched = true
			if _, err := m.follow(jctx, l, c.No, id, ch.ID, p, false, true); err != nil {
				return err
			}
		}
	}
	if !matched {
		m.changes.WithLabelValues(ChangeUnmatched).Inc()
	}
	return nil
}

// follow brings one customer in step with p, records the outcome under
// the name of the change (or refresh) changeID and returns it ("" for a
// customer gone meanwhile). With disclose, a disclosure log entry is
// written before the customer is; a refresh's lookup was logged already.
func (m *Monitor) follow(ctx context.Context, ledgerNo, no string, id customer.NationalID, changeID string, p *Person, confirm, disclose bool) (string, error) {
	logEntry := func() error {
		if !disclose {
			return nil
		}
		return m.svc.write(ctx, &Lookup{LedgerNo: ledgerNo, TokenID: MonitorID, SubjectHash: m.svc.Subject(ledgerNo, id.CountryCode, id.RegNo),
			Purpose: PurposeMonitor, Source: SourceRegister, Outcome: OutcomeFound, At: m.svc.now().UTC().Truncate(time.Microsecond)})
	}
	changed, skipped, err := m.customers.FollowRegister(ctx, ledgerNo, no, id, Entry(p), confirm, logEntry)
	switch code := customer.ErrorCode(err); code {
	case "":
	case customer.ECUSTOMERNOTFOUND:
		return "", nil // gone since it was found
	case customer.EREGISTERUNAVAILABLE:
		skipped = "address-not-storable"
	case customer.EINTERNAL, customer.EUNAVAILABLE:
		return "", err // the database: the batch is tried again
	default:
		// A refusal of the domain about this one customer must not hold
		// up the feed behind it.
		skipped = code
	}
	outcome := ChangeUnchanged
	switch {
	case changed:
		outcome = ChangeApplied
	case skipped != "":
		outcome = ChangeSkipped
	}
	m.changes.WithLabelValues(outcome).Inc()
	if skipped != "" {
		m.skipped.WithLabelValues(skipped).Inc()
		msg := "register change not applied"
		if changed {
			msg = "register change applied in part"
		}
		m.o.Log.Info(msg, slog.String("ledger", ledgerNo), slog.String("customerNo", no), slog.String("change", changeID),
			slog.String("reason", skipped))
	}
	return outcome, nil
}
