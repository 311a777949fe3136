package apitest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/pgtest"
)

// Postgres is the server backend: a fresh database on the test binary's
// throwaway PostgreSQL (or on KUND_TEST_POSTGRES). Tests on it skip when
// PostgreSQL cannot be had, unless KUND_REQUIRE_POSTGRES=1.
var Postgres = Backend{Name: "postgres", Open: func(t testing.TB) app.Store {
	u := pgtest.URL(t)
	s, err := app.OpenStore(context.Background(), u, KeyFile(t))
	if err != nil {
		t.Fatal(err)
	}
	pgURLs.Store(s, u)
	t.Cleanup(func() { pgURLs.Delete(s); s.Close() })
	return s
}, Dump: func(t testing.TB, s app.Store) []byte {
	u, ok := pgURLs.Load(s)
	if !ok {
		t.Fatal("apitest: not a store of the postgres backend")
	}
	return pgtest.Dump(t, u.(string))
}}

// pgURLs are the database URLs of the open stores of the postgres backend.
var pgURLs sync.Map

func init() { Register(Postgres) }

// KeyFile is a new secret key file for the Kunds of one test: those that
// share a PostgreSQL database must share it too.
func KeyFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kund.key")
	if _, _, err := keyring.LoadOrCreate(path); err != nil {
		t.Fatal(err)
	}
	return path
}
