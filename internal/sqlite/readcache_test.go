package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kund/kund/internal/sqlite"
	"github.com/kund/kund/internal/storetest"
)

// Two stores on one file: kund serve and a kund command beside it.
func TestReadCacheIsNeverStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kund.db")
	var dbs [2]*sqlite.DB
	for i := range dbs {
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		useKey(t, db)
		defer db.Close()
		dbs[i] = db
	}
	storetest.ReadCacheIsNeverStale(t, dbs[0], dbs[1])
}
