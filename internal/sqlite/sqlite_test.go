package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
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

// A key file whose index key is not the database's is refused: its blind
// indexes would find nothing.
func TestAnotherIndexKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kund.db")
	db := openWithLedger(t, path)
	db.Close()
	other, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	again, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.UseKeyring(ctx, other); err == nil || !strings.Contains(err.Error(), "index key") {
		t.Fatalf("another index key: %v", err)
	}
	if err := again.UseKeyring(ctx, testKeys()); err != nil {
		t.Fatalf("the database's own key: %v", err)
	}
}

func TestDrawnUUIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kund.db")
	keys, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	storetest.RunDrawnUUIDs(t, storetest.DrawnUUIDs{
		Open: func(t *testing.T) storetest.Store {
			db, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.UseKeyring(context.Background(), keys); err != nil {
				t.Fatal(err)
			}
			return db
		},
		Close: func(s storetest.Store) { s.(*sqlite.DB).Close() },
		DB:    raw,
		Undo: []string{`DROP TABLE drawn_uuids`, `DROP TABLE uuid_keys`, `DROP TABLE sequences`,
			`CREATE UNIQUE INDEX customers_uuid ON customers (uuid)`, `DELETE FROM schema_migrations WHERE version = 14`},
		Rewind: []string{`UPDATE sequences SET next = next - 1 WHERE name = 'customers'`, `UPDATE sequences SET next = next - 2 WHERE name = 'addresses'`},
	})
}
