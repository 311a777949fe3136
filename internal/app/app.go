// Package app assembles a Kund from its configuration: the store chosen by
// the database address, the domain service, the authenticator and the HTTP
// handler with every API on it. The command line and the end-to-end tests
// both build Kund through it, so tests run exactly what `kund serve` runs.
package app

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/cardgw"
	"github.com/kund/kund/internal/compat/frontpayment"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/compat/riverty"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/console"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/events"
	"github.com/kund/kund/internal/httpapi"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/operator"
	"github.com/kund/kund/internal/postgres"
	"github.com/kund/kund/internal/register"
	"github.com/kund/kund/internal/sqlite"
	"github.com/kund/kund/internal/sqlstore"
)

// Store is everything Kund keeps, on one database.
type Store interface {
	customer.Store
	auth.Store
	auth.CompatStore
	customer.ProductStore
	register.LookupLog
	register.MonitorStore
	events.Queue
	events.Journal
	// OnCommit sets what is called after each committed write.
	OnCommit(func())
	// Sweep deletes what has expired (docs/security.md).
	Sweep(ctx context.Context, now time.Time, disclosureRetention time.Duration) (sqlstore.Swept, error)
	Ping(ctx context.Context) error
	Close() error
}

// IsPostgres reports whether a --db value names a PostgreSQL server.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// OpenStore opens and migrates the database named by db (a file path for
// SQLite or a postgres:// URL) with Kund's secret key from keyFile, which
// seals what Kund keeps encrypted at rest. Beside a SQLite file the key
// defaults to DB.key, created (mode 0600) when missing; every process on a
// PostgreSQL database needs the same key, so there it must be given.
func OpenStore(ctx context.Context, db, keyFile string) (Store, error) {
	if db == "" {
		return nil, fmt.Errorf("no database given (--db or KUND_DB)")
	}
	var keys *keyring.Keyring
	var err error
	switch {
	case keyFile != "":
		keys, err = keyring.Load(keyFile)
	case IsPostgres(db):
		return nil, fmt.Errorf("a secret key file is required with PostgreSQL (--secret-key-file or KUND_SECRET_KEY_FILE): every Kund process on the database must use the same key; create one with `kund keys create FILE`")
	default:
		keys, _, err = keyring.LoadOrCreate(db + ".key")
	}
	if err != nil {
		return nil, err
	}
	var s interface {
		Store
		UseKeyring(context.Context, sqlstore.Sealer) error
		SealClear(context.Context, sqlstore.Progress) error
	}
	if IsPostgres(db) {
		s, err = postgres.Open(ctx, db)
	} else {
		s, err = sqlite.Open(ctx, db)
	}
	if err != nil {
		return nil, err
	}
	if err := s.UseKeyring(ctx, keys); err != nil {
		s.Close()
		return nil, err
	}
	// A database of a Kund before encryption at rest is sealed in place
	// before anything reads it; the walk is resumable, so an interrupted
	// start continues where it stopped.
	if err := s.SealClear(ctx, SealProgress(os.Stderr, "encrypting at rest")); err != nil {
		s.Close()
		return nil, fmt.Errorf("sealing what is stored in clear: %w", err)
	}
	return s, nil
}

// SealProgress reports a walk over the sealed values (sqlstore.Progress)
// on w, every 10,000 values of a column: "kund: <doing>: <column>: <n> values".
func SealProgress(w io.Writer, doing string) sqlstore.Progress {
	last := map[string]int64{}
	return func(what string, n int64) {
		if n/10000 > last[what]/10000 {
			fmt.Fprintf(w, "kund: %s: %s: %d values\n", doing, what, n)
		}
		last[what] = n
	}
}

// Config is what a Kund needs besides its store.
type Config struct {
	Log *slog.Logger     // request and error logs; nil discards them
	Now func() time.Time // clock; nil is time.Now
	// PublicURL is where clients reach this server (the sandbox card
	// page's redirectUrl, a Worldline session's clientApiUrl); empty: the
	// address the request came in on.
	PublicURL string
	// CardGateway names the card gateway of recurring-card registrations:
	// "sandbox" serves the built-in verification page, which turns any
	// Luhn-valid number into a consent (kund demo, tests); "" none.
	CardGateway string
	// Register is the population register; nil answers every lookup with
	// population-register-unavailable.
	Register register.Provider

	// Monitor is how the register's change feed is followed (when the
	// register has one).
	Monitor register.MonitorOptions

	// HTTP is the operator's settings of the HTTP front (rate limit, CORS).
	HTTP httpapi.Options

	// Webhooks is how webhooks are delivered.
	Webhooks WebhookConfig
	// EventsNATS is the NATS server that every event is published to
	// (JetStream; kund serve --events-nats); "": none.
	EventsNATS string
}

// WebhookConfig is how webhooks are delivered (internal/events).
type WebhookConfig struct {
	// AllowInsecure lets webhooks send over http:// and to loopback and
	// private addresses (kund serve --webhooks-allow-insecure).
	AllowInsecure bool
	// Backoff is the wait after a failed attempt; nil: the default.
	Backoff func(attempt int) time.Duration
	// Poll is how often the queue is looked at unprompted; 0: the default.
	Poll time.Duration
}

// Kund is an assembled Kund.
type Kund struct {
	Store   Store
	Service *customer.Service
	Auth    *auth.Authenticator
	Handler http.Handler
	// Register asks the population register and keeps the disclosure log.
	Register *register.Service
	// Deliverer sends the webhooks; it runs in RunDeliveries.
	Deliverer *events.Deliverer
	// Publisher publishes the journal to NATS JetStream; nil without
	// Config.EventsNATS. It runs in RunNATS.
	Publisher *events.Publisher
	// Monitor follows the register's change feed (RunMonitor) and
	// refreshes ledgers; it follows nothing when the register has no feed.
	Monitor *register.Monitor
	feed    register.Feed

	log *slog.Logger
}

// New assembles a Kund on an open store.
func New(store Store, cfg Config) *Kund {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc := customer.NewService(store, cfg.Now)
	authn := auth.NewAuthenticator(store, cfg.Now)
	cfg.HTTP.PublicURL = cfg.PublicURL
	srv := httpapi.New(svc, authn, cfg.Log, cfg.HTTP)
	if cfg.CardGateway == "sandbox" {
		sandbox := cardgw.NewSandbox(svc)
		sandbox.Base = cfg.PublicURL
		svc.UseCardGateway(sandbox)
		sandbox.Routes(srv.Handle)
	}
	provider := cfg.Register
	if provider == nil {
		provider = register.None{}
	} else {
		srv.AddReadyCheck("register", register.ReadyCheck(provider))
	}
	if f, ok := provider.(interface {
		Forget(country, regNo, phone string)
	}); ok {
		// An erased customer's register answers go with them.
		svc.OnErased(func(c *customer.Customer) {
			country, regNo := "", ""
			if c.NationalID != nil {
				country, regNo = c.NationalID.CountryCode, c.NationalID.RegNo
			}
			f.Forget(country, regNo, c.MSISDN)
		})
	}
	reg := register.NewService(register.Instrument(provider, srv.Registry()), store, cfg.Now)
	if ix, ok := store.(interface {
		Index(purpose, value string) string
	}); ok {
		reg.UseSubjectKey(ix.Index)
	}
	srv.SetRegister(reg)
	feed := register.FeedOf(provider)
	mo := cfg.Monitor
	mo.Log, mo.Registry = cfg.Log, srv.Registry()
	monitor := register.NewMonitor(feed, reg, svc, store, mo)
	e := srv.Edge()
	frontpayment.Mount(e, svc, reg, cfg.Log)
	payway.Mount(e, svc, authn, store, reg, cfg.Log)
	riverty.Mount(e, svc, reg, cfg.Log)
	worldline.Mount(e, svc, store, reg, cfg.Log)
	if ops, ok := store.(operator.Store); ok {
		// The back-office console (docs/console.md), on the same domain
		// operations as the APIs.
		con, err := console.New(console.Config{Service: svc, Register: reg, Store: ops, Log: cfg.Log, Now: cfg.Now,
			PublicURL: cfg.PublicURL, Export: srv.Export, TrustProxy: cfg.HTTP.TrustProxy})
		if err != nil {
			panic(err) // the pages are embedded: a test sees it first
		}
		con.Routes(srv.Handle)
	}
	srv.AddReadyCheck("database", store.Ping)
	if p, ok := store.(interface{ Pools() map[string]*sql.DB }); ok {
		for name, db := range p.Pools() {
			srv.AddDBStats(name, db)
		}
	}
	if b, ok := store.(interface{ OnWriteBatch(func(int)) }); ok {
		b.OnWriteBatch(srv.WriteBatchMetric())
	}
	svc.UseWebhookURLCheck(events.CheckURL(cfg.Webhooks.AllowInsecure))
	_, exclusive := store.(*sqlite.DB)
	d := events.NewDeliverer(store, events.Config{Render: httpapi.EventJSON, AllowInsecure: cfg.Webhooks.AllowInsecure,
		Exclusive: exclusive, Backoff: cfg.Webhooks.Backoff, Poll: cfg.Webhooks.Poll, Now: svc.Now, Log: cfg.Log, Quiet: sqlstore.Quiet})
	srv.SetDeliveryWaker(d.Wake)
	var pub *events.Publisher
	if cfg.EventsNATS != "" {
		pub = events.NewPublisher(store, events.NATSConfig{URL: cfg.EventsNATS, Render: httpapi.EventJSON, Log: cfg.Log})
		store.OnCommit(func() { d.Wake(); pub.Wake() })
	} else {
		store.OnCommit(d.Wake)
	}
	return &Kund{Store: store, Service: svc, Auth: authn, Handler: srv, Register: reg, Deliverer: d, Publisher: pub,
		Monitor: monitor, feed: feed, log: cfg.Log}
}

// RunMonitor follows the register's change feed until ctx ends; without
// a feed it returns at once.
func (k *Kund) RunMonitor(ctx context.Context) error {
	if k.feed == nil {
		return nil
	}
	return k.Monitor.Run(ctx)
}

// RunDeliveries delivers webhooks until ctx ends.
func (k *Kund) RunDeliveries(ctx context.Context) error { return k.Deliverer.Run(ctx) }

// RunNATS publishes the journal to NATS until ctx ends; without a NATS
// server configured it returns at once.
func (k *Kund) RunNATS(ctx context.Context) error {
	if k.Publisher == nil {
		return nil
	}
	return k.Publisher.Run(ctx)
}

// CreateToken issues a token for a ledger and returns its plaintext, which
// is shown once and never stored.
func (k *Kund) CreateToken(ctx context.Context, ledgerNo string, scopes []customer.Scope, ttl time.Duration) (string, error) {
	return k.CreateLimitedToken(ctx, ledgerNo, scopes, ttl, 0)
}

// CreateLimitedToken is CreateToken for a token with its own rate limit in
// requests per second (0: the server's).
func (k *Kund) CreateLimitedToken(ctx context.Context, ledgerNo string, scopes []customer.Scope, ttl time.Duration, rate float64) (string, error) {
	if rate < 0 {
		return "", customer.ValidationError("rateLimit", "must be 0 or more")
	}
	if _, err := k.Service.Ledger(ctx, ledgerNo); err != nil {
		return "", err
	}
	plain, t := auth.New(ledgerNo, scopes, k.Service.Now(), ttl)
	t.Rate = rate
	if err := k.Store.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return plain, nil
}
