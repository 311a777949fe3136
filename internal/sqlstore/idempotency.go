package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/kund/kund/internal/customer"
)

const idemColumns = `fingerprint, lease, lease_until, done, status, reply, created_at, expires_at`

// sealedReply is what the reply column holds, sealed: a stored reply may
// carry personal data (a looked-up person, an address).
type sealedReply struct {
	Header map[string]string `json:"h"`
	Body   []byte            `json:"b"`
}

// replyAD binds a sealed reply to its key's row.
func replyAD(k *customer.IdempotencyKey) []byte {
	return []byte("idempotency_keys.reply\x00" + k.LedgerNo + "\x00" + k.Credential + "\x00" + k.Key)
}

func (db *DB) scanIdem(row scanner, k *customer.IdempotencyKey) error {
	var leaseUntil, created, expires, status int64
	var reply []byte
	err := row.Scan(&k.Fingerprint, &k.Lease, &leaseUntil, &k.Done, &status, &reply, &created, &expires)
	if err != nil {
		return err
	}
	k.LeaseUntil, k.CreatedAt, k.ExpiresAt = fromMicros(leaseUntil), fromMicros(created), fromMicros(expires)
	k.Reply.Status = int(status)
	if !k.Done {
		return nil
	}
	plain, err := db.open(reply, replyAD(k))
	if err != nil {
		return err
	}
	var r sealedReply
	if err := json.Unmarshal(plain, &r); err != nil {
		return err
	}
	k.Reply.Header, k.Reply.Body = r.Header, r.Body
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
		_, err = tx.ExecContext(ctx, db.Q(`INSERT INTO idempotency_keys (ledger_no, credential, idem_key, fingerprint, lease, lease_until, done, status, reply, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`),
			k.LedgerNo, k.Credential, k.Key, k.Fingerprint, k.Lease, micros(k.LeaseUntil), false, []byte{}, micros(k.CreatedAt), micros(k.ExpiresAt))
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

// CompleteIdempotencyKey stores the reply of a request that wrote nothing.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, k *customer.IdempotencyKey) error {
	return db.Tx(ctx, func(tx *sql.Tx) error { return db.completeIdem(ctx, tx, k) })
}

// ReleaseIdempotencyKey deletes an unfinished claim held by k's lease.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, k *customer.IdempotencyKey) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`DELETE FROM idempotency_keys WHERE ledger_no = ? AND credential = ? AND idem_key = ? AND lease = ? AND done = ?`),
			k.LedgerNo, k.Credential, k.Key, k.Lease, false)
		return err
	})
}

func (db *DB) completeIdem(ctx context.Context, tx *sql.Tx, k *customer.IdempotencyKey) error {
	plain, err := json.Marshal(sealedReply{Header: k.Reply.Header, Body: k.Reply.Body})
	if err != nil {
		return err
	}
	reply, err := db.seal(plain, replyAD(k))
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, db.Q(`UPDATE idempotency_keys SET done = ?, status = ?, reply = ?
		WHERE ledger_no = ? AND credential = ? AND idem_key = ? AND lease = ? AND done = ?`),
		true, k.Reply.Status, reply, k.LedgerNo, k.Credential, k.Key, k.Lease, false)
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

// completeWriteIdem stores, in the transaction of a customer write, the
// reply that acknowledges it, when ctx carries an idempotency key.
func (db *DB) completeWriteIdem(ctx context.Context, tx *sql.Tx, c *customer.Customer) error {
	idem := customer.IdempotencyOf(ctx)
	if idem == nil {
		return nil
	}
	reply, err := idem.Respond(c)
	if err != nil {
		return err
	}
	idem.Key.Reply = reply
	return db.completeIdem(ctx, tx, idem.Key)
}

// markIdemDone records that the write committed with its reply.
func markIdemDone(ctx context.Context) {
	if idem := customer.IdempotencyOf(ctx); idem != nil {
		idem.Key.Done = true
		idem.Completed = true
	}
}
