// Package auth issues and checks the bearer tokens of the native API: a
// token is bound to exactly one ledger and carries scopes. Only a hash of
// its secret is stored, and secrets are compared in constant time.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/kund/kund/internal/customer"
)

// Kinds of bearer token. A token is valid only on the routes of its kind.
const (
	KindToken  = "token"  // the native API's tokens (kund token create)
	KindPayway = "payway" // access tokens of Tulo Payway's token endpoint
)

// Token is a stored token: everything but its secret.
type Token struct {
	ID         string
	Kind       string // KindToken or KindPayway
	LedgerNo   string
	Scopes     []customer.Scope
	Rate       float64 // the token's own limit in requests per second; 0: the server's
	SecretHash []byte  // SHA-256 of the secret
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time // zero: not revoked
}

// Store keeps tokens.
type Store interface {
	CreateToken(ctx context.Context, t *Token) error
	// Token returns a token by id; customer.ENOTFOUND when there is none.
	Token(ctx context.Context, id string) (*Token, error)
	// RevokeToken marks a token revoked at the given time.
	RevokeToken(ctx context.Context, id string, at time.Time) error
}

const prefix = "kund."

// New makes a token for a ledger: the plaintext to hand out once (prefix,
// a 16-hex-digit id, and a 32-byte random secret) and the record to store.
func New(ledgerNo string, scopes []customer.Scope, now time.Time, ttl time.Duration) (string, *Token) {
	var id [8]byte
	var secret [32]byte
	if _, err := rand.Read(id[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	if _, err := rand.Read(secret[:]); err != nil {
		panic(err)
	}
	t := &Token{
		ID:        hex.EncodeToString(id[:]),
		Kind:      KindToken,
		LedgerNo:  ledgerNo,
		Scopes:    scopes,
		CreatedAt: now,
	}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	s := base64.RawURLEncoding.EncodeToString(secret[:])
	h := sha256.Sum256([]byte(s))
	t.SecretHash = h[:]
	return prefix + t.ID + "." + s, t
}

// split takes a plaintext token apart.
func split(plain string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(plain, prefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, ".")
	if !ok || len(id) != 16 || len(secret) != 43 {
		return "", "", false
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", "", false
	}
	return id, secret, true
}

// Authenticator turns a bearer token into a customer.Caller.
type Authenticator struct {
	store Store
	now   func() time.Time
}

// NewAuthenticator returns an Authenticator reading tokens from store.
func NewAuthenticator(store Store, now func() time.Time) *Authenticator {
	if now == nil {
		now = time.Now
	}
	return &Authenticator{store: store, now: now}
}

// Authenticate checks a plaintext token. Any failure is EUNAUTHORIZED with
// the same message, so a caller learns nothing about which part was wrong;
// a store failure is returned as is.
func (a *Authenticator) Authenticate(ctx context.Context, plain string) (customer.Caller, error) {
	// Made only when needed, not formatted and allocated for every
	// request that passes.
	bad := func() error {
		return customer.Errorf(customer.EUNAUTHORIZED, "The bearer token is missing, malformed, unknown, expired or revoked.")
	}
	id, secret, ok := split(plain)
	if !ok {
		return customer.Caller{}, bad()
	}
	t, err := a.store.Token(ctx, id)
	if customer.ErrorCode(err) == customer.ENOTFOUND {
		return customer.Caller{}, bad()
	} else if err != nil {
		return customer.Caller{}, err
	}
	h := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(h[:], t.SecretHash) != 1 {
		return customer.Caller{}, bad()
	}
	now := a.now()
	if !t.RevokedAt.IsZero() || (!t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)) {
		return customer.Caller{}, bad()
	}
	return customer.Caller{TokenID: t.ID, Kind: t.Kind, LedgerNo: t.LedgerNo, Scopes: t.Scopes, Rate: t.Rate}, nil
}

// Bearer authenticates the bearer token of a request's Authorization
// header. Which kinds of token a route accepts is the caller's to check
// (Caller.Kind).
func (a *Authenticator) Bearer(r *http.Request) (customer.Caller, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return customer.Caller{}, customer.Errorf(customer.EUNAUTHORIZED, "A bearer token is required.")
	}
	return a.Authenticate(r.Context(), strings.TrimSpace(token))
}
