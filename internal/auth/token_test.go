package auth_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/sqlite"
)

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	if err := db.CreateLedger(ctx, &customer.Ledger{No: "L", Country: "SE", CustomerNumbers: customer.NumbersClient, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	plain, tok := auth.New("L", []customer.Scope{customer.ScopeRead}, now, time.Hour)
	if !regexp.MustCompile(`^kund\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$`).MatchString(plain) {
		t.Fatalf("token %q", plain)
	}
	if strings.Contains(string(tok.SecretHash), strings.Split(plain, ".")[2]) || len(tok.SecretHash) != 32 {
		t.Fatal("the stored token must hold only a SHA-256 of the secret")
	}
	if err := db.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	clock := now
	a := auth.NewAuthenticator(db, func() time.Time { return clock })
	c, err := a.Authenticate(ctx, plain)
	if err != nil || c.LedgerNo != "L" || c.TokenID != tok.ID || !c.Can(customer.ScopeRead) || c.Can(customer.ScopeWrite) {
		t.Fatalf("caller %+v, %v", c, err)
	}
	for _, bad := range []string{"", plain + "x", plain[:len(plain)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(plain, "A")], strings.Replace(plain, "kund.", "kunt.", 1),
		"kund." + tok.ID + "..", "kund.zzzzzzzzzzzzzzzz." + strings.Split(plain, ".")[2]} {
		if _, err := a.Authenticate(ctx, bad); customer.ErrorCode(err) != customer.EUNAUTHORIZED {
			t.Errorf("%q: %v", bad, err)
		}
	}
	clock = now.Add(time.Hour)
	if _, err := a.Authenticate(ctx, plain); customer.ErrorCode(err) != customer.EUNAUTHORIZED {
		t.Fatalf("an expired token: %v", err)
	}
	// Two tokens never share an id or a secret.
	p2, t2 := auth.New("L", nil, now, 0)
	if t2.ID == tok.ID || p2 == plain || !t2.ExpiresAt.IsZero() {
		t.Fatal("tokens repeat")
	}
}
