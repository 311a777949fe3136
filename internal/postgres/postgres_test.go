package postgres_test

import (
	"context"
	"testing"

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
	return db
}

func TestContract(t *testing.T) { storetest.Run(t, open) }
