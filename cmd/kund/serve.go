package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/httpapi"
	"github.com/kund/kund/internal/register"
)

// Config is the configuration of `kund serve`.
type Config struct {
	Addr      string
	DB        string
	PublicURL string
	// RegisterFile is the population register's CSV file (DESIGN.md).
	RegisterFile string
	// RegisterURL is an HTTP register (docs/register.md), with the
	// timeout of a lookup and the TTL of its cache.
	RegisterURL      string
	RegisterTimeout  time.Duration
	RegisterCacheTTL time.Duration
	// RegisterPoll is how often an idle change feed is asked again.
	RegisterPoll time.Duration

	KeyFile string // Kund's secret key; "" beside a SQLite file

	Limits      edge.Limits // the rate limits of every API
	TrustProxy  bool        // the client's address from X-Forwarded-For
	CORSOrigins string      // comma-separated
	CardGateway string      // "sandbox" or ""
	// DisclosureRetention is how long the disclosure log keeps an entry.
	DisclosureRetention time.Duration
	// WebhooksAllowInsecure lets webhooks reach http:// URLs and loopback
	// or private addresses (tests, development).
	WebhooksAllowInsecure bool
	// EventsNATS is the NATS server every event is published to.
	EventsNATS string
}

// DefaultDisclosureRetention keeps the disclosure log for two years: long
// enough to answer a data subject who asks who was told about them (the
// register lookups behind an address a claim went to), short enough not to
// become a history of everyone's whereabouts.
const DefaultDisclosureRetention = 2 * 365 * 24 * time.Hour

// Main is a running Kund: its configuration, its database and its HTTP
// server.
type Main struct {
	Config Config
	Log    *slog.Logger
	DB     app.Store
	Server *http.Server

	listener     net.Listener
	registerFile *register.File
	kund         *app.Kund
}

// Open opens the database and starts listening; Run then serves.
func (m *Main) Open(ctx context.Context) error {
	db, err := app.OpenStore(ctx, m.Config.DB, m.Config.KeyFile)
	if err != nil {
		return err
	}
	m.DB = db
	provider, err := m.openRegister()
	if err != nil {
		db.Close()
		return err
	}
	if m.Config.CardGateway != "" && m.Config.CardGateway != "sandbox" {
		db.Close()
		return fmt.Errorf("%w: --card-gateway must be sandbox (or not given)", errUsage)
	}
	k := app.New(db, app.Config{Log: m.Log, PublicURL: m.Config.PublicURL, Register: provider, CardGateway: m.Config.CardGateway,
		HTTP:     httpapi.Options{Limits: m.Config.Limits, TrustProxy: m.Config.TrustProxy, CORSOrigins: httpapi.ParseOrigins(m.Config.CORSOrigins)},
		Webhooks: app.WebhookConfig{AllowInsecure: m.Config.WebhooksAllowInsecure}, EventsNATS: m.Config.EventsNATS,
		Monitor: register.MonitorOptions{Poll: m.Config.RegisterPoll}})
	m.kund = k
	m.Server = &http.Server{
		Handler:           k.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		// What net/http logs itself (an accept error when the process runs
		// out of file descriptors, say) is a warning of the JSON log, not a
		// line of its own on stderr.
		ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	if m.listener, err = net.Listen("tcp", m.Config.Addr); err != nil {
		db.Close()
		return err
	}
	return nil
}

// Addr is the address the server listens on.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Run serves until ctx is done, then stops gracefully: in-flight requests
// finish (for up to 30 seconds), new connections are refused.
func (m *Main) Run(ctx context.Context) error {
	// SIGHUP is caught before "listening" is announced: its default action
	// would end the process.
	m.reloadOnHangup(ctx)
	m.Log.Info("kund listening", slog.String("addr", m.Addr()))
	sweeping, stopSweeping := context.WithCancel(ctx)
	defer stopSweeping()
	go m.sweep(sweeping)
	delivering, stopDelivering := context.WithCancel(context.WithoutCancel(ctx))
	delivered := make(chan error, 3)
	go func() { delivered <- m.kund.RunDeliveries(delivering) }()
	go func() { delivered <- m.kund.RunNATS(delivering) }()
	go func() { delivered <- m.kund.RunMonitor(delivering) }()
	// The deliverer, the publisher and the register monitor stop after the
	// last request: their events still go out, and what is in flight is
	// recorded.
	defer func() {
		stopDelivering()
		for range 3 {
			if err := <-delivered; err != nil {
				m.Log.Warn("event delivery stopped", slog.String("error", err.Error()))
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- m.Server.Serve(m.listener) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	m.Log.Info("kund stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.Server.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// SweepEvery is how often serve deletes what has expired.
const SweepEvery = 10 * time.Minute

// sweep deletes what has expired, at start and then every SweepEvery,
// until ctx ends. Each process on a shared database sweeps; the deletes
// are idempotent and bounded, so they do not get in each other's way.
func (m *Main) sweep(ctx context.Context) {
	t := time.NewTicker(SweepEvery)
	defer t.Stop()
	for {
		s, err := m.DB.Sweep(ctx, m.kund.Service.Now(), m.Config.DisclosureRetention)
		if err != nil && ctx.Err() == nil {
			m.Log.Warn("sweep failed", slog.String("error", err.Error()))
		} else if err == nil {
			m.Log.Info("swept", slog.Int64("idempotency_keys", s.IdempotencyKeys), slog.Int64("tokens", s.Tokens),
				slog.Int64("sessions", s.Sessions), slog.Int64("operator_sessions", s.OperatorSessions), slog.Int64("signatures", s.Signatures), slog.Int64("disclosure_log", s.Lookups), slog.Int64("events", s.Events), slog.Int64("deliveries", s.Deliveries))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close closes the database.
func (m *Main) Close() error {
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg Config
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&cfg.DB, "db", "kund.db", "SQLite file or postgres:// URL")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "URL at which clients reach this server")
	fs.StringVar(&cfg.RegisterFile, "register-file", "", "population register CSV file")
	fs.StringVar(&cfg.RegisterURL, "register-url", "", "population register behind the HTTP contract of docs/register.md")
	fs.DurationVar(&cfg.RegisterTimeout, "register-timeout", 2*time.Second, "time limit of one register lookup, retries included")
	fs.DurationVar(&cfg.RegisterCacheTTL, "register-cache-ttl", time.Minute, "how long answers of --register-url are kept (0: not at all)")
	fs.DurationVar(&cfg.RegisterPoll, "register-poll", 10*time.Second, "how often the register's change feed is asked when it had nothing new (register monitoring)")
	fs.StringVar(&cfg.KeyFile, "secret-key-file", "", "Kund's secret key (default: DB.key beside a SQLite file, created when missing; required with PostgreSQL)")
	l := edge.DefaultLimits()
	limitFlags(fs, &l.Requests, "rate", "requests per second of one credential, any route (0: no limit; a token may carry its own)", "requests one credential may make at once (0: twice the rate)")
	limitFlags(fs, &l.Failures, "auth-failure", "failed authentications per second from one client address (0: no limit)", "failed authentications one address may make at once")
	limitFlags(fs, &l.Lookups, "lookup", "lookup units per second of one credential: a lookup that finds someone costs 1, one that does not 3 (0: no limit)", "lookup units one credential may spend at once")
	limitFlags(fs, &l.LedgerLookups, "ledger-lookup", "lookup units per second of one ledger, all credentials together (0: no limit)", "lookup units one ledger may spend at once")
	limitFlags(fs, &l.AddressLookups, "address-lookup", "lookup units per second from one client address through browser sessions (Worldline's client API; 0: no limit)", "lookup units one address may spend at once")
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", false, "take the client's address from X-Forwarded-For (only behind a proxy that sets it)")
	fs.StringVar(&cfg.CORSOrigins, "cors-origins", "", "comma-separated browser origins allowed to call the API (none: no CORS)")
	fs.StringVar(&cfg.CardGateway, "card-gateway", "", "card gateway of recurring-card registrations: sandbox (never in production: it accepts any Luhn-valid number), or none")
	fs.DurationVar(&cfg.DisclosureRetention, "disclosure-retention", DefaultDisclosureRetention, "how long the disclosure log keeps an entry (0: for ever)")
	fs.StringVar(&cfg.EventsNATS, "events-nats", "", "NATS server (nats://HOST:PORT) whose JetStream gets every event, a stream per ledger (docs/events.md)")
	fs.BoolVar(&cfg.WebhooksAllowInsecure, "webhooks-allow-insecure", false, "let webhooks send over http:// and to loopback and private addresses (tests, development; never in production)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	cfg.Limits = l
	m := &Main{Config: cfg, Log: slog.New(slog.NewJSONHandler(stderr, nil))}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

// limitFlags are the two flags of a limit: --NAME-limit (or --NAME-rate)
// and --NAME-burst.
func limitFlags(fs *flag.FlagSet, l *edge.Limit, name, rateUsage, burstUsage string) {
	rate := name + "-rate"
	if name == "rate" {
		rate = "rate-limit"
	}
	fs.Float64Var(&l.Rate, rate, l.Rate, rateUsage)
	fs.IntVar(&l.Burst, name+"-burst", l.Burst, burstUsage)
}
