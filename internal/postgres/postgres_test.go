package postgres_test

import (
	"context"
	"testing"

	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/pgtest"
	"github.com/kund/kund/internal/postgres"
	"github.com/kund/kund/internal/storetest"
)

func open(t *testing.T) storetest.Store {
	db, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseKeyring(context.Background(), keys); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestContract(t *testing.T) { storetest.Run(t, open) }

// Two Kunds on one database: each sees the other's writes at once.
func TestReadCacheIsNeverStale(t *testing.T) {
	url := pgtest.URL(t)
	var dbs [2]*postgres.DB
	for i := range dbs {
		db, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	storetest.ReadCacheIsNeverStale(t, dbs[0], dbs[1])
}
