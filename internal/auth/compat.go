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
// itself to recompute the HMAC of a request, so it is stored as issued.
type WorldlineKey struct {
	ID        string
	LedgerNo  string
	Secret    string
	CreatedAt time.Time
}

// WorldlineSession is a client session of the Worldline Connect client API:
// the browser holds its id, valid until ExpiresAt, for one customer id.
type WorldlineSession struct {
	ID         string
	LedgerNo   string
	CustomerID string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// CompatStore keeps the dialects' credentials. A lookup of an unknown id is
// customer.ENOTFOUND.
type CompatStore interface {
	CreatePaywayClient(ctx context.Context, c *PaywayClient) error
	PaywayClient(ctx context.Context, id string) (*PaywayClient, error)
	CreateWorldlineKey(ctx context.Context, k *WorldlineKey) error
	WorldlineKey(ctx context.Context, id string) (*WorldlineKey, error)
	CreateWorldlineSession(ctx context.Context, s *WorldlineSession) error
	WorldlineSession(ctx context.Context, id string) (*WorldlineSession, error)
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
