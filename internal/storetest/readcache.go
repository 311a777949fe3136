package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
)

// ReadCacheIsNeverStale checks a store's read cache against another store
// on the same database, standing for kund serve and a kund command (or a
// second Kund) beside it: each change made through b is seen by the very
// next read through a, while a's cache is warm, and no read that starts
// after a write has returned sees what the write replaced.
func ReadCacheIsNeverStale(t *testing.T, a, b Store) {
	ctx := context.Background()
	now := time.Now()
	if err := b.CreateLedger(ctx, &customer.Ledger{No: "L", Country: "SE", CustomerNumbers: customer.NumbersClient, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	_, tok := auth.New("L", []customer.Scope{customer.ScopeAll}, now, 0)
	if err := b.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 20; round++ {
		// Warm: read twice, the second from the cache.
		for i := 0; i < 2; i++ {
			got, err := a.Token(ctx, tok.ID)
			if err != nil || !got.RevokedAt.IsZero() {
				t.Fatalf("round %d: token %+v, %v", round, got, err)
			}
			if l, err := a.Ledger(ctx, "L"); err != nil || l.KYCRenewalDays != round {
				t.Fatalf("round %d: ledger %+v, %v", round, l, err)
			}
		}
		if _, err := b.UpdateLedger(ctx, "L", func(l *customer.Ledger) error { l.KYCRenewalDays = round + 1; return nil }); err != nil {
			t.Fatal(err)
		}
		// A request that begins after the update, reading the token and
		// then the ledger in one read scope, sees the update too.
		req := customer.WithReadScope(ctx)
		if _, err := a.Token(req, tok.ID); err != nil {
			t.Fatal(err)
		}
		if l, err := a.Ledger(req, "L"); err != nil || l.KYCRenewalDays != round+1 {
			t.Fatalf("round %d: after the update the ledger is %+v, %v (in a read scope)", round, l, err)
		}
		if l, err := a.Ledger(ctx, "L"); err != nil || l.KYCRenewalDays != round+1 {
			t.Fatalf("round %d: after the update the ledger is %+v, %v", round, l, err)
		}
	}
	if err := b.RevokeToken(ctx, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Token(ctx, tok.ID); err != nil || got.RevokedAt.IsZero() {
		t.Fatalf("a token revoked by another process is served as %+v, %v", got, err)
	}

	// Many readers racing one writer: once the write has returned, no
	// read that starts later sees the old value.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var mu sync.Mutex
	written := 0 // the last KYCRenewalDays acknowledged
	for r := 0; r < 8; r++ {
		wg.Add(1)
		scoped := r%2 == 1 // as a request does: the token, then the ledger, in one read scope
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				floor := written
				mu.Unlock()
				rctx := ctx
				if scoped {
					rctx = customer.WithReadScope(ctx)
					if _, err := a.Token(rctx, tok.ID); err != nil {
						t.Error(err)
						return
					}
				}
				l, err := a.Ledger(rctx, "L")
				if err != nil {
					t.Error(err)
					return
				}
				if l.KYCRenewalDays < floor {
					t.Errorf("read %d after %d was written", l.KYCRenewalDays, floor)
					return
				}
			}
		}()
	}
	for v := 100; v < 300; v++ {
		if _, err := b.UpdateLedger(ctx, "L", func(l *customer.Ledger) error { l.KYCRenewalDays = v; return nil }); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		written = v
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
}
