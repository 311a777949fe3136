package apitest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/pgtest"
)

// Postgres is the server backend: a fresh database on the test binary's
// throwaway PostgreSQL (or on KUND_TEST_POSTGRES). Tests on it skip when
// PostgreSQL cannot be had, unless KUND_REQUIRE_POSTGRES=1.
var Postgres = Backend{Name: "postgres", Open: func(t testing.TB) app.Store {
	s, err := app.OpenStore(context.Background(), pgtest.URL(t), KeyFile(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}}

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
