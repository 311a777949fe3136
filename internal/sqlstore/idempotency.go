package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kund/kund/internal/customer"
)

const idemColumns = `fingerprint, lease, lease_until, done, written_customer_no, written_version, answer, created_at, expires_at`

// answerAD binds a sealed answer to its key's row: an answer may carry
// personal data (a looked-up person, an address).
func answerAD(k *customer.IdempotencyKey) []byte {
	return []byte("idempotency_keys.answer\x00" + k.LedgerNo + "\x00" + k.Credential + "\x00" + k.Key)
}

func (db *DB) scanIdem(row scanner, k *customer.IdempotencyKey) error {
	var leaseUntil, created, expires int64
	var writtenNo sql.NullString
	var writtenVersion sql.NullInt64
	var answer []byte
	err := row.Scan(&k.Fingerprint, &k.Lease, &leaseUntil, &k.Done, &writtenNo, &writtenVersion, &answer, &created, &expires)
	if err != nil {
		return err
	}
	k.LeaseUntil, k.CreatedAt, k.ExpiresAt = fromMicros(leaseUntil), fromMicros(created), fromMicros(expires)
	if writtenNo.Valid {
		k.Written = &customer.Written{CustomerNo: writtenNo.String, Version: writtenVersion.Int64}
	}
	if len(answer) > 0 {
		if k.Answer, err = db.open(answer, answerAD(k)); err != nil {
			return err
		}
	}
	return nil
}

// ClaimIdempotencyKey claims a key or returns the stored one.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, k *customer.IdempotencyKey) (*customer.IdempotencyKey, error) {
	var existing *customer.IdempotencyKey
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		existing = nil
		// Expired keys go first, a bounded handful per claim, so the
		// table stays at about one day of keys without a sweeper.
		if _, err := tx.ExecContext(ctx, db.Q(`DELETE FROM idempotency_keys WHERE ledger_no = ? AND credential = ? AND idem_key = ? AND expires_at <= ?`),
			k.LedgerNo, k.Credential, k.Key, micros(k.CreatedAt)); err != nil {
			return err
		}
		old := &customer.IdempotencyKey{LedgerNo: k.LedgerNo, Credential: k.Credential, Key: k.Key}
		err := db.scanIdem(tx.QueryRowContext(ctx, db.Q(`SELECT `+idemColumns+` FROM idempotency_keys WHERE ledger_no = ? AND credential = ? AND idem_key = ?`),
			k.LedgerNo, k.Credential, k.Key), old)
		if err == nil {
			existing = old
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, db.Q(`INSERT INTO idempotency_keys (ledger_no, credential, idem_key, fingerprint, lease, lease_until, done, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			k.LedgerNo, k.Credential, k.Key, k.Fingerprint, k.Lease, micros(k.LeaseUntil), false, micros(k.CreatedAt), micros(k.ExpiresAt))
		if db.d.IsUnique(err) {
			return errKeyRace
		}
		return err
	})
	if errors.Is(err, errKeyRace) {
		// Another request claimed the key between our read and insert (an
		// engine with concurrent writers): its row decides.
		old := &customer.IdempotencyKey{LedgerNo: k.LedgerNo, Credential: k.Credential, Key: k.Key}
		err = db.scanIdem(db.Write.QueryRowContext(ctx, db.Q(`SELECT `+idemColumns+` FROM idempotency_keys WHERE ledger_no = ? AND credential = ? AND idem_key = ?`),
			k.LedgerNo, k.Credential, k.Key), old)
		if err != nil {
			return nil, db.Err(err)
		}
		return old, nil
	}
	if err != nil {
		return nil, err
	}
	return existing, nil
}

var errKeyRace = errors.New("idempotency key claimed concurrently")

// TakeOverIdempotencyKey moves an abandoned claim to k's lease.
func (db *DB) TakeOverIdempotencyKey(ctx context.Context, k *customer.IdempotencyKey, now time.Time) (bool, error) {
	var ok bool
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE idempotency_keys SET lease = ?, lease_until = ?
			WHERE ledger_no = ? AND credential = ? AND idem_key = ? AND fingerprint = ? AND done = ? AND lease_until <= ?`),
			k.Lease, micros(k.LeaseUntil), k.LedgerNo, k.Credential, k.Key, k.Fingerprint, false, micros(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// CompleteIdempotencyKey marks a key done and stores its answer.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, k *customer.IdempotencyKey) error {
	answer, err := db.seal(k.Answer, answerAD(k))
	if err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE idempotency_keys SET done = ?, answer = ?
			WHERE ledger_no = ? AND credential = ? AND idem_key = ? AND lease = ?`),
			true, answer, k.LedgerNo, k.Credential, k.Key, k.Lease)
		if err := heldByLease(res, err); err != nil {
			return err
		}
		k.Done = true
		return nil
	})
}

// ReleaseIdempotencyKey deletes an unfinished claim held by k's lease.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, k *customer.IdempotencyKey) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`DELETE FROM idempotency_keys WHERE ledger_no = ? AND credential = ? AND idem_key = ? AND lease = ? AND done = ?`),
			k.LedgerNo, k.Credential, k.Key, k.Lease, false)
		return err
	})
}

// completeWrite completes key, when not nil, in the transaction of the
// write of c: the key is done and names what was written. A key whose
// lease a retry took over rolls the write back.
func (db *DB) completeWrite(ctx context.Context, tx *sql.Tx, key *customer.IdempotencyKey, c *customer.Customer) error {
	if key == nil {
		return nil
	}
	res, err := tx.ExecContext(ctx, db.Q(`UPDATE idempotency_keys SET done = ?, written_customer_no = ?, written_version = ?
		WHERE ledger_no = ? AND credential = ? AND idem_key = ? AND lease = ? AND done = ?`),
		true, c.No, c.Version, key.LedgerNo, key.Credential, key.Key, key.Lease, false)
	return heldByLease(res, err)
}

// heldByLease says whether the statement that res answers, which changed a
// key only while its lease held it, did: else a retry took the key over.
func heldByLease(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return customer.ErrIdempotencyLost()
	}
	return nil
}
