package customer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Idempotency keys: a client sends one with a POST so that retrying the
// POST (after a timeout, a dropped connection, a crash of either side)
// cannot write twice. The first response is kept for IdempotencyTTL and
// answered again for every retry with the same request.
const (
	IdempotencyTTL = 24 * time.Hour
	// IdempotencyLease is how long a claimed key stays claimed by a request
	// that has not finished. A retry within it is told to wait (409); after
	// it (the first request's process died) the retry takes the key over.
	IdempotencyLease = 30 * time.Second
	// MaxIdempotencyKey is the longest key accepted.
	MaxIdempotencyKey = 255
)

// IdempotencyKey is the stored state of one key of a credential of a
// ledger. Keys belong to the credential that sent them: another credential
// of the ledger using the same key is another key, and never sees the
// first one's answer.
type IdempotencyKey struct {
	LedgerNo    string
	Credential  string // the caller's TokenID
	Key         string
	Fingerprint string // hash of the request (method, path, body): a retry must match it
	Lease       string // random; names the request that holds the key
	LeaseUntil  time.Time
	// Done: the request succeeded. A write completes its key in its own
	// transaction and names what it wrote (Written); the answer the API
	// rendered from it is stored after the commit.
	Done    bool
	Written *Written
	// Answer is the API's answer to the request, as the API encoded it;
	// nil until it is stored.
	Answer    []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Written names what a write under an idempotency key wrote: the customer
// and the version it left. An API renders its answer from it again when
// the first answer was lost (the process died between the commit and
// storing the answer).
type Written struct {
	CustomerNo string
	Version    int64
}

// SetWritten records in k, when k is not nil, that the write of c
// completed it; a store calls it once the write committed.
func (k *IdempotencyKey) SetWritten(c *Customer) {
	if k != nil {
		k.Done, k.Written = true, &Written{CustomerNo: c.No, Version: c.Version}
	}
}

// IdempotencyStore keeps idempotency keys. The completion of a key that
// protects a write is not a method here: a Store's CreateCustomer and
// UpdateCustomer complete the key they are given in their own
// transaction, so that a write and the record of it are stored together
// or not at all.
type IdempotencyStore interface {
	// ClaimIdempotencyKey stores k as claimed unless the credential already
	// has the key: then it returns the stored key and stores nothing. A
	// stored key that expired before k.CreatedAt is replaced. A claim whose
	// lease has run out is taken over only with TakeOverIdempotencyKey.
	ClaimIdempotencyKey(ctx context.Context, k *IdempotencyKey) (existing *IdempotencyKey, err error)
	// TakeOverIdempotencyKey gives an unfinished key whose lease ended
	// before now to the lease of k; false when another request was faster
	// or the key is done.
	TakeOverIdempotencyKey(ctx context.Context, k *IdempotencyKey, now time.Time) (bool, error)
	// CompleteIdempotencyKey marks the key done, if it is not yet, and
	// stores k.Answer, while k's lease holds it.
	CompleteIdempotencyKey(ctx context.Context, k *IdempotencyKey) error
	// ReleaseIdempotencyKey deletes an unfinished key held by k's lease, so
	// that a request which failed without writing can be sent again.
	ReleaseIdempotencyKey(ctx context.Context, k *IdempotencyKey) error
}

// NewLease returns a random lease name.
func NewLease() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ErrIdempotencyLost is returned by a write whose idempotency key was taken
// over by a retry while it ran: the write is rolled back, the retry wins.
func ErrIdempotencyLost() error {
	return Errorf(ECONFLICT, "A retry with the same Idempotency-Key took over this request.")
}

// CheckIdempotencyKey returns what is wrong with a client's key, or "".
func CheckIdempotencyKey(key string) string {
	if key == "" || len(key) > MaxIdempotencyKey {
		return "must be 1-255 characters"
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return "must be printable ASCII without spaces"
		}
	}
	return ""
}

// BeginIdempotent claims a key of the caller for a request with fingerprint.
// It returns either the claim (run the request, then FinishIdempotent) or
// the key as an earlier identical request completed it (answer it again).
// The key sent with another request is EIDEMPOTENCYREUSE; an identical
// request still running is ECONFLICT.
func (s *Service) BeginIdempotent(ctx context.Context, caller Caller, key, fingerprint string) (claim, done *IdempotencyKey, err error) {
	if msg := CheckIdempotencyKey(key); msg != "" {
		return nil, nil, ValidationError("Idempotency-Key", msg)
	}
	for attempt := 0; attempt < 3; attempt++ {
		now := s.Now()
		k := &IdempotencyKey{
			LedgerNo: caller.LedgerNo, Credential: caller.TokenID, Key: key, Fingerprint: fingerprint, Lease: NewLease(),
			LeaseUntil: now.Add(IdempotencyLease), CreatedAt: now, ExpiresAt: now.Add(IdempotencyTTL),
		}
		old, err := s.store.ClaimIdempotencyKey(ctx, k)
		switch {
		case err != nil:
			return nil, nil, err
		case old == nil:
			return k, nil, nil
		case old.Fingerprint != fingerprint:
			return nil, nil, Errorf(EIDEMPOTENCYREUSE, "The Idempotency-Key was already used for a different request.")
		case old.Done:
			return nil, old, nil
		case old.LeaseUntil.After(now):
			return nil, nil, Errorf(ECONFLICT, "A request with this Idempotency-Key is still being processed; retry later.")
		}
		// The first request was abandoned (its process died): take over.
		ok, err := s.store.TakeOverIdempotencyKey(ctx, k, now)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			return k, nil, nil
		}
	}
	return nil, nil, Errorf(ECONFLICT, "A request with this Idempotency-Key is still being processed; retry later.")
}

// FinishIdempotent ends a claim after its request ran: a request that
// succeeded stores its answer (a write completed the key in its own
// transaction already); one that failed releases the key so that it can be
// sent again, since it changed nothing.
func (s *Service) FinishIdempotent(ctx context.Context, k *IdempotencyKey, succeeded bool, answer []byte) error {
	if succeeded {
		k.Answer = answer
		return s.store.CompleteIdempotencyKey(ctx, k)
	}
	if k.Done {
		return nil // a write committed; a retry is answered from what it wrote
	}
	return s.store.ReleaseIdempotencyKey(ctx, k)
}

// WriteOption varies a write of a customer.
type WriteOption func(*writeOptions)

type writeOptions struct {
	key *IdempotencyKey
}

// Completing makes the write complete the idempotency key k (a claim of
// BeginIdempotent) in its own transaction; nil does nothing. A key that a
// retry took over in the meantime rolls the write back (ECONFLICT).
func Completing(k *IdempotencyKey) WriteOption {
	return func(o *writeOptions) { o.key = k }
}

func options(opts []WriteOption) writeOptions {
	var o writeOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
