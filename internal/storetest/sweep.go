package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
	"github.com/kund/kund/internal/sqlstore"
)

// Sweeper deletes what has expired.
type Sweeper interface {
	Sweep(ctx context.Context, now time.Time, disclosureRetention time.Duration) (sqlstore.Swept, error)
}

// testSweep: what has expired goes, in batches, and nothing else: keys
// past their day, expired tokens, sessions and used signatures, and
// disclosure-log entries beyond the retention (none without one).
func testSweep(t *testing.T, s Store) {
	sw, ok := s.(Sweeper)
	if !ok {
		t.Fatalf("%T does not sweep", s)
	}
	c := compatStore(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	caller := customer.Caller{LedgerNo: "L", TokenID: "tok"}
	// 1,500 keys expire (more than one batch), one does not.
	svc := customer.NewService(s, func() time.Time { return t0 })
	for i := range 1501 {
		if i == 1500 {
			svc = customer.NewService(s, func() time.Time { return t0.Add(2 * time.Hour) })
		}
		if _, _, err := svc.BeginIdempotent(ctx, caller, "k-"+strconv.Itoa(i), "f"); err != nil {
			t.Fatal(err)
		}
	}
	for i, ttl := range []time.Duration{time.Hour, time.Hour, 0, 48 * time.Hour} {
		_, tok := auth.New("L", []customer.Scope{customer.ScopeRead}, t0, ttl)
		tok.ID = "000000000000000" + strconv.Itoa(i)
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	_, old := auth.NewWorldlineSession("L", 10, t0, 20*time.Minute)
	_, live := auth.NewWorldlineSession("L", 10, t0.Add(25*time.Hour), 20*time.Minute)
	for _, ws := range []*auth.WorldlineSession{old, live} {
		if err := c.CreateWorldlineSession(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	for i, exp := range []time.Duration{15 * time.Minute, 48 * time.Hour} {
		if _, err := c.UseWorldlineSignature(ctx, auth.HashSecret("sig"+strconv.Itoa(i)), t0.Add(exp)); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{t0.Add(-400 * 24 * time.Hour), t0.Add(-10 * 24 * time.Hour), t0} {
		if err := s.LogRegisterLookup(ctx, &register.Lookup{LedgerNo: "L", TokenID: "tok", SubjectHash: "h", Purpose: "p", Outcome: "found", At: at}); err != nil {
			t.Fatal(err)
		}
	}

	now := t0.Add(25 * time.Hour)
	got, err := sw.Sweep(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (sqlstore.Swept{IdempotencyKeys: 1500, Tokens: 2, Sessions: 1, Signatures: 1}); got != want {
		t.Fatalf("swept %+v, want %+v", got, want)
	}
	if _, replay, err := svc.BeginIdempotent(ctx, caller, "k-1500", "other"); customer.ErrorCode(err) != customer.EIDEMPOTENCYREUSE || replay != nil {
		t.Fatalf("the unexpired key went: %v", err)
	}
	if _, err := s.Token(ctx, "0000000000000002"); err != nil {
		t.Fatalf("a token without expiry went: %v", err)
	}
	if _, err := s.Token(ctx, "0000000000000000"); customer.ErrorCode(err) != customer.ENOTFOUND {
		t.Fatalf("an expired token stayed: %v", err)
	}
	if _, err := c.WorldlineSession(ctx, live.SecretHash); err != nil {
		t.Fatalf("a live session went: %v", err)
	}
	if fresh, _ := c.UseWorldlineSignature(ctx, auth.HashSecret("sig0"), now.Add(time.Minute)); !fresh {
		t.Fatal("an expired signature was not forgotten")
	}
	if ls, _ := s.RegisterLookups(ctx, "L", nil, 0, 10); len(ls) != 3 {
		t.Fatalf("without a retention the disclosure log keeps everything: %d", len(ls))
	}
	// With a year's retention, the entry of 400 days ago goes.
	if got, err := sw.Sweep(ctx, t0, 365*24*time.Hour); err != nil || got.Lookups != 1 {
		t.Fatalf("swept %+v, %v; want the one old entry", got, err)
	}
	if ls, _ := s.RegisterLookups(ctx, "L", nil, 0, 10); len(ls) != 2 {
		t.Fatalf("disclosure log after the sweep: %d entries, want 2", len(ls))
	}
}
