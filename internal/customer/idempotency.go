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

// Reply is a stored response: what a retry is answered with.
type Reply struct {
	Status int
	Header map[string]string // the headers that belong to the answer (Location, ETag, Content-Type)
	Body   []byte
}

// IdempotencyKey is the stored state of one key of a credential of a
// ledger. Keys belong to the credential that sent them: another credential
// of the ledger using the same key is another key, and never sees the
// first one's reply.
type IdempotencyKey struct {
	LedgerNo    string
	Credential  string // the caller's TokenID
	Key         string
	Fingerprint string // hash of the request (method, path, body): a retry must match it
	Lease       string // random; names the request that holds the key
	LeaseUntil  time.Time
	Done        bool // Reply is set
	Reply       Reply
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// IdempotencyStore keeps idempotency keys. The completion of a key that
// protects a write is not a method here: a Store's CreateCustomer and
// UpdateCustomer complete the Idempotency that their ctx carries (see
// WithIdempotency) in their own transaction, so that a write and the reply
// that acknowledges it are stored together or not at all.
type IdempotencyStore interface {
	// ClaimIdempotencyKey stores k as claimed unless the ledger already has
	// the key: then it returns the stored key and stores nothing. A stored
	// key that expired before k.CreatedAt is replaced. A claim whose lease
	// has run out is taken over only with TakeOverIdempotencyKey.
	ClaimIdempotencyKey(ctx context.Context, k *IdempotencyKey) (existing *IdempotencyKey, err error)
	// TakeOverIdempotencyKey gives an unfinished key whose lease ended
	// before now to the lease of k; false when another request was faster
	// or the key is done.
	TakeOverIdempotencyKey(ctx context.Context, k *IdempotencyKey, now time.Time) (bool, error)
	// CompleteIdempotencyKey stores the reply of a request that wrote
	// nothing (a search sent with POST), if the key still has its lease.
	CompleteIdempotencyKey(ctx context.Context, k *IdempotencyKey) error
	// ReleaseIdempotencyKey deletes an unfinished key held by k's lease, so
	// that a request which failed without writing can be sent again.
	ReleaseIdempotencyKey(ctx context.Context, k *IdempotencyKey) error
}

// Idempotency is the key a write completes in its own transaction. Respond
// renders the reply from the customer as written; the store calls it inside
// the transaction and keeps its result with the write.
type Idempotency struct {
	Key     *IdempotencyKey
	Respond func(*Customer) (Reply, error)
	// Completed is set by the store once the reply is stored with a write.
	Completed bool
}

type idempotencyCtxKey struct{}

// WithIdempotency returns a context whose next customer write completes
// idem in its transaction.
func WithIdempotency(ctx context.Context, idem *Idempotency) context.Context {
	return context.WithValue(ctx, idempotencyCtxKey{}, idem)
}

// IdempotencyOf returns the Idempotency a write must complete, or nil when
// there is none or it has no renderer yet (the request does not write).
func IdempotencyOf(ctx context.Context) *Idempotency {
	idem, _ := ctx.Value(idempotencyCtxKey{}).(*Idempotency)
	if idem == nil || idem.Respond == nil || idem.Completed {
		return nil
	}
	return idem
}

// IdempotencyFrom returns the Idempotency of ctx, with or without a
// renderer, so that a handler can give it one.
func IdempotencyFrom(ctx context.Context) *Idempotency {
	idem, _ := ctx.Value(idempotencyCtxKey{}).(*Idempotency)
	return idem
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
// the reply stored for an earlier identical request (answer it again). The
// key sent with another request is EIDEMPOTENCYREUSE; an identical request
// still running is ECONFLICT.
func (s *Service) BeginIdempotent(ctx context.Context, caller Caller, key, fingerprint string) (*IdempotencyKey, *Reply, error) {
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
			return nil, &old.Reply, nil
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

// FinishIdempotent ends a claim after its request ran. A successful reply
// of a request that wrote nothing is stored now (a write stored it in its
// own transaction); a failed request releases the key so that it can be
// sent again, since it changed nothing.
func (s *Service) FinishIdempotent(ctx context.Context, k *IdempotencyKey, reply Reply) error {
	if k.Done {
		return nil
	}
	if reply.Status >= 200 && reply.Status < 300 {
		k.Reply = reply
		return s.store.CompleteIdempotencyKey(ctx, k)
	}
	return s.store.ReleaseIdempotencyKey(ctx, k)
}
