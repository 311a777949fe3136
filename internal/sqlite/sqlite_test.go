package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/sqlite"
	"github.com/kund/kund/internal/storetest"
)

func open(t *testing.T) storetest.Store {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kund.db"))
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
