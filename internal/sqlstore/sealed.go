package sqlstore

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
)

// Sealer encrypts values at rest under Kund's key (internal/keyring), and
// gives the blind index under which a sealed value is looked up.
type Sealer interface {
	Seal(plain, ad []byte) []byte
	Open(sealed, ad []byte) ([]byte, error)
	Index(purpose, value string) string
	Current() uint32
}

// errNoKey is returned when a sealed value is written or read by a store
// that was opened without Kund's key.
var errNoKey = errors.New("sqlstore: no secret key: open the store with Kund's key to read or write sealed values")

// UseKeyring gives the store the key that seals API secrets, stored
// replies and personal data, and seals what an earlier version stored in
// clear (see SealClear for the personal data).
func (db *DB) UseKeyring(ctx context.Context, k Sealer) error {
	if err := db.checkIndexKey(ctx, k); err != nil {
		return err
	}
	db.keys = k
	return db.sealClearSecrets(ctx)
}

// checkIndexKey records the fingerprint of k's index key in a database
// that has none, and refuses a key whose index key is not the one the
// database's blind indexes were made with.
func (db *DB) checkIndexKey(ctx context.Context, k Sealer) error {
	fp := k.Index("index key fingerprint", "kund")
	if _, err := db.Write.ExecContext(ctx, db.Q(`INSERT INTO index_key (id, fingerprint) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`), fp); err != nil {
		return db.Err(err)
	}
	var stored string
	if err := db.Write.QueryRowContext(ctx, `SELECT fingerprint FROM index_key WHERE id = 1`).Scan(&stored); err != nil {
		return db.Err(err)
	}
	if stored != fp {
		return errors.New("the key file's index key is not the one this database's blind indexes were made with: " +
			"lookups by identity number, e-mail or phone would find nothing (was the first key removed from the file by hand? see docs/privacy.md)")
	}
	return nil
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

// sealedMark starts a sealed value in a text column; no clear value of
// those columns (JSON) starts with it.
const sealedMark = "~"

// sealText seals plain for a text column: the mark and the base64 of the
// sealed bytes.
func (db *DB) sealText(plain []byte, ad string) (string, error) {
	b, err := db.seal(plain, []byte(ad))
	if err != nil {
		return "", err
	}
	return sealedMark + base64.RawStdEncoding.EncodeToString(b), nil
}

// openText opens what sealText sealed. A value without the mark was
// written before encryption at rest and is returned as it is.
func (db *DB) openText(stored, ad string) ([]byte, error) {
	b, ok, err := sealedBytes(stored)
	if err != nil || !ok {
		return []byte(stored), err
	}
	return db.open(b, []byte(ad))
}

// sealedBytes are the sealed bytes of a text column's value; ok is false
// for a clear value.
func sealedBytes(stored string) (b []byte, ok bool, err error) {
	if !strings.HasPrefix(stored, sealedMark) {
		return nil, false, nil
	}
	b, err = base64.RawStdEncoding.DecodeString(stored[len(sealedMark):])
	if err != nil {
		return nil, false, errors.New("sqlstore: a sealed value is not base64")
	}
	return b, true, nil
}

// index is the blind index of a value of a ledger's customer, or NULL for
// an empty one (nothing is looked up by an empty value). The ledger is part
// of it, so that a customer of two ledgers cannot be joined by it.
func (db *DB) index(purpose, ledgerNo, value string) (any, error) {
	if value == "" {
		return nil, nil
	}
	if db.keys == nil {
		return nil, errNoKey
	}
	return db.keys.Index(purpose, ledgerNo+"\x00"+value), nil
}

// Index is the blind index of value for purpose under Kund's key, for
// what is kept outside this package (the disclosure log's subjects). It
// panics without a key, which every store that serves has.
func (db *DB) Index(purpose, value string) string {
	if db.keys == nil {
		panic(errNoKey)
	}
	return db.keys.Index(purpose, value)
}

// Blind index purposes.
const (
	indexRegNo  = "regNo"
	indexEmail  = "email"
	indexMSISDN = "msisdn"
)

// pack joins strings, each behind its length, for one sealed value.
func pack(values ...string) []byte {
	n := 0
	for _, v := range values {
		n += binary.MaxVarintLen32 + len(v)
	}
	out := make([]byte, 0, n)
	for _, v := range values {
		out = binary.AppendUvarint(out, uint64(len(v)))
		out = append(out, v...)
	}
	return out
}

// unpack reverses pack into the given strings.
func unpack(b []byte, into ...*string) error {
	for _, p := range into {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return errors.New("sqlstore: a sealed value does not unpack")
		}
		*p = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	return nil
}
