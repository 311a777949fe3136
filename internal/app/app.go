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
	"strings"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/cardgw"
	"github.com/kund/kund/internal/compat/frontpayment"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/compat/riverty"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
	"github.com/kund/kund/internal/postgres"
	"github.com/kund/kund/internal/register"
	"github.com/kund/kund/internal/sqlite"
)

// Store is everything Kund keeps, on one database.
type Store interface {
	customer.Store
	auth.Store
	auth.CompatStore
	customer.ProductStore
	register.LookupLog
	Ping(ctx context.Context) error
	Close() error
}

// IsPostgres reports whether a --db value names a PostgreSQL server.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// OpenStore opens and migrates the database named by db: a file path for
// SQLite or a postgres:// URL.
func OpenStore(ctx context.Context, db string) (Store, error) {
	if db == "" {
		return nil, fmt.Errorf("no database given (--db or KUND_DB)")
	}
	if IsPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

// Config is what a Kund needs besides its store.
type Config struct {
	Log *slog.Logger     // request and error logs; nil discards them
	Now func() time.Time // clock; nil is time.Now
	// PublicURL is where browsers reach this server (the sandbox card
	// page's redirectUrl); empty: the host of the request that started
	// the registration.
	PublicURL string
	// Register is the population register; nil answers every lookup with
	// population-register-unavailable.
	Register register.Provider

	// HTTP is the operator's settings of the HTTP front (rate limit, CORS).
	HTTP httpapi.Options
}

// Kund is an assembled Kund.
type Kund struct {
	Store   Store
	Service *customer.Service
	Auth    *auth.Authenticator
	Handler http.Handler
	// Register asks the population register and keeps the disclosure log.
	Register *register.Service
}

// New assembles a Kund on an open store.
func New(store Store, cfg Config) *Kund {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc := customer.NewService(store, cfg.Now)
	authn := auth.NewAuthenticator(store, cfg.Now)
	srv := httpapi.New(svc, authn, cfg.Log)
	sandbox := cardgw.NewSandbox(svc)
	sandbox.Base = cfg.PublicURL
	svc.UseCardGateway(sandbox)
	sandbox.Routes(srv.Handle)
	provider := cfg.Register
	if provider == nil {
		provider = register.None{}
	} else {
		srv.AddReadyCheck("register", register.ReadyCheck(provider))
	}
	reg := register.NewService(register.Instrument(provider, srv.Registry()), store, cfg.Now)
	srv.SetRegister(reg)
	frontpayment.Mount(srv.Handle, svc, authn, cfg.Log)
	payway.Mount(srv.Handle, svc, authn, store, cfg.Log)
	riverty.Mount(srv.Handle, svc, authn, reg, cfg.Log)
	worldline.Mount(srv.Handle, svc, store, reg, cfg.Log)
	srv.Configure(cfg.HTTP)
	srv.AddReadyCheck("database", store.Ping)
	if p, ok := store.(interface{ Pools() map[string]*sql.DB }); ok {
		for name, db := range p.Pools() {
			srv.AddDBStats(name, db)
		}
	}
	if b, ok := store.(interface{ OnWriteBatch(func(int)) }); ok {
		b.OnWriteBatch(srv.WriteBatchMetric())
	}
	return &Kund{Store: store, Service: svc, Auth: authn, Handler: srv, Register: reg}
}

// CreateToken issues a token for a ledger and returns its plaintext, which
// is shown once and never stored.
func (k *Kund) CreateToken(ctx context.Context, ledgerNo string, scopes []customer.Scope, ttl time.Duration) (string, error) {
	if _, err := k.Service.Ledger(ctx, ledgerNo); err != nil {
		return "", err
	}
	plain, t := auth.New(ledgerNo, scopes, k.Service.Now(), ttl)
	if err := k.Store.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return plain, nil
}
