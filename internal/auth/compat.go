package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// The credentials of the compatibility dialects. Each is bound to exactly
// one ledger, like a native token.

// PaywayClient is a Tulo Payway API client: it trades its id and secret
// for short-lived bearer tokens. Only a hash of the secret is stored.
type PaywayClient struct {
	ID         string
	LedgerNo   string
	Scopes     []string // Payway scopes, such as "/external/account/r"
	SecretHash []byte   // SHA-256 of the secret
	CreatedAt  time.Time
}

// WorldlineKey is a Worldline Connect API key. The server needs the secret
// itself to recompute the HMAC of a request, so the store keeps it sealed
// under Kund's key rather than hashed.
type WorldlineKey struct {
	ID        string
	LedgerNo  string
	Secret    string
	CreatedAt time.Time
}

// WorldlineSession is a client session of the Worldline Connect client API:
// the browser holds its id, valid until ExpiresAt, for one customer id. The
// id is a credential, so only its SHA-256 is stored; PublicID names the
// session where a log must. Lookups are the lookup units the session spent
// of its Quota.
type WorldlineSession struct {
	SecretHash []byte
	PublicID   string
	LedgerNo   string
	CustomerID string
	Lookups    int
	Quota      int
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// NewWorldlineSession makes a client session of a ledger: the id to hand to
// the merchant (and so to the browser) once, and the record to store.
func NewWorldlineSession(ledgerNo string, quota int, now time.Time, ttl time.Duration) (id string, s *WorldlineSession) {
	id = RandomHex(16)
	return id, &WorldlineSession{SecretHash: HashSecret(id), PublicID: RandomHex(8), LedgerNo: ledgerNo,
		CustomerID: ledgerNo + "-" + RandomHex(10), Quota: quota, CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

// HashSecret is the SHA-256 under which a secret is looked up.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CompatStore keeps the dialects' credentials. A lookup of an unknown id is
// customer.ENOTFOUND.
type CompatStore interface {
	CreatePaywayClient(ctx context.Context, c *PaywayClient) error
	PaywayClient(ctx context.Context, id string) (*PaywayClient, error)
	CreateWorldlineKey(ctx context.Context, k *WorldlineKey) error
	WorldlineKey(ctx context.Context, id string) (*WorldlineKey, error)
	CreateWorldlineSession(ctx context.Context, s *WorldlineSession) error
	// WorldlineSession returns the session whose id hashes to secretHash.
	WorldlineSession(ctx context.Context, secretHash []byte) (*WorldlineSession, error)
	// ChargeWorldlineSession adds units to the lookups a session spent.
	// With within, only while the sum stays within its quota: false when
	// it would not (nothing is added). ENOTFOUND when there is no session.
	ChargeWorldlineSession(ctx context.Context, secretHash []byte, units int, within bool) (bool, error)
	// UseWorldlineSignature records a signature (its hash) as used until
	// expires; false when it was used already.
	UseWorldlineSignature(ctx context.Context, hash []byte, expires time.Time) (bool, error)
	// WorldlineProducts returns a ledger's configured lookup products by id.
	WorldlineProducts(ctx context.Context, ledgerNo string) (map[int][]string, error)
	// SetWorldlineProduct configures a lookup product of a ledger with its
	// countries; no countries removes it.
	SetWorldlineProduct(ctx context.Context, ledgerNo string, productID int, countries []string) error
}

// RandomHex returns n random bytes in hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

func randomSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewPaywayClient makes a client of a ledger: its secret, to hand out
// once, and the record to store.
func NewPaywayClient(ledgerNo string, scopes []string, now time.Time) (secret string, c *PaywayClient) {
	secret = randomSecret()
	h := sha256.Sum256([]byte(secret))
	return secret, &PaywayClient{ID: RandomHex(12), LedgerNo: ledgerNo, Scopes: scopes, SecretHash: h[:], CreatedAt: now}
}

// CheckSecret reports, in constant time, whether secret is the client's.
func (c *PaywayClient) CheckSecret(secret string) bool {
	h := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(h[:], c.SecretHash) == 1
}

// NewWorldlineKey makes an API key of a ledger.
func NewWorldlineKey(ledgerNo string, now time.Time) *WorldlineKey {
	return &WorldlineKey{ID: RandomHex(8), LedgerNo: ledgerNo, Secret: randomSecret(), CreatedAt: now}
}
