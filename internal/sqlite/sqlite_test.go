package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kund/kund/internal/sqlite"
	"github.com/kund/kund/internal/storetest"
)

func open(t *testing.T) storetest.Store {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kund.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) { storetest.Run(t, open) }
