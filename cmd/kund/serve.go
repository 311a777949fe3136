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

	RateLimit   float64 // requests per second per token; 0: unlimited
	RateBurst   int
	CORSOrigins string // comma-separated
}

// Main is a running Kund: its configuration, its database and its HTTP
// server.
type Main struct {
	Config Config
	Log    *slog.Logger
	DB     app.Store
	Server *http.Server

	listener     net.Listener
	registerFile *register.File
}

// Open opens the database and starts listening; Run then serves.
func (m *Main) Open(ctx context.Context) error {
	db, err := app.OpenStore(ctx, m.Config.DB)
	if err != nil {
		return err
	}
	m.DB = db
	provider, err := m.openRegister()
	if err != nil {
		db.Close()
		return err
	}
	k := app.New(db, app.Config{Log: m.Log, PublicURL: m.Config.PublicURL, Register: provider, HTTP: httpapi.Options{
		Rate: m.Config.RateLimit, Burst: m.Config.RateBurst, CORSOrigins: httpapi.ParseOrigins(m.Config.CORSOrigins),
	}})
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
	fs.Float64Var(&cfg.RateLimit, "rate-limit", 100, "requests per second per token (0: no limit)")
	fs.IntVar(&cfg.RateBurst, "rate-burst", 200, "requests one token may make at once")
	fs.StringVar(&cfg.CORSOrigins, "cors-origins", "", "comma-separated browser origins allowed to call the API (none: no CORS)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.NewJSONHandler(stderr, nil))}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}
