package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

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

func TestDrawnUUIDs(t *testing.T) {
	url := pgtest.URL(t)
	keys, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	storetest.RunDrawnUUIDs(t, storetest.DrawnUUIDs{
		Open: func(t *testing.T) storetest.Store {
			db, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.UseKeyring(context.Background(), keys); err != nil {
				t.Fatal(err)
			}
			return db
		},
		Close: func(s storetest.Store) { s.(*postgres.DB).Close() },
		DB:    raw,
		Undo: []string{`DROP TABLE drawn_uuids`, `DROP TABLE uuid_keys`, `DROP SEQUENCE address_uuid_seq`,
			`CREATE UNIQUE INDEX customers_uuid ON customers (uuid)`, `DELETE FROM schema_migrations WHERE version = 14`},
		// setval(..., false): the next nextval gives the value itself.
		Rewind: []string{`SELECT setval('customers_id_seq', (SELECT last_value FROM customers_id_seq), false)`,
			`SELECT setval('address_uuid_seq', (SELECT last_value - 1 FROM address_uuid_seq), false)`},
	})
}
