package sqlstore

import (
	"context"
	"errors"
)

// Sealer encrypts values at rest under Kund's key (internal/keyring).
type Sealer interface {
	Seal(plain, ad []byte) []byte
	Open(sealed, ad []byte) ([]byte, error)
}

// errNoKey is returned when a sealed value is written or read by a store
// that was opened without Kund's key.
var errNoKey = errors.New("sqlstore: no secret key: open the store with Kund's key to read or write sealed values")

// UseKeyring gives the store the key that seals API secrets and stored
// replies, and seals what an earlier version stored in clear.
func (db *DB) UseKeyring(ctx context.Context, k Sealer) error {
	db.keys = k
	return db.sealClearSecrets(ctx)
}

func (db *DB) seal(plain, ad []byte) ([]byte, error) {
	if db.keys == nil {
		return nil, errNoKey
	}
	return db.keys.Seal(plain, ad), nil
}

func (db *DB) open(sealed, ad []byte) ([]byte, error) {
	if db.keys == nil {
		return nil, errNoKey
	}
	return db.keys.Open(sealed, ad)
}
