package storetest

import (
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

func idemKey(ledgerNo, key, fp string, now time.Time) *customer.IdempotencyKey {
	return &customer.IdempotencyKey{LedgerNo: ledgerNo, Key: key, Fingerprint: fp, Lease: customer.NewLease(),
		LeaseUntil: now.Add(customer.IdempotencyLease), CreatedAt: now, ExpiresAt: now.Add(customer.IdempotencyTTL)}
}

// testIdempotency: a claim is exclusive per ledger and key, a write
// completes the key in its own transaction (and a failed write leaves it
// unfinished), an abandoned claim can be taken over and an expired key is
// replaced.
func testIdempotency(t *testing.T, s Store) {
	ledger(t, s, "L1", customer.NumbersClient)
	ledger(t, s, "L2", customer.NumbersClient)
	k := idemKey("L1", "k1", "fp", t0)
	if old, err := s.ClaimIdempotencyKey(ctx, k); err != nil || old != nil {
		t.Fatalf("first claim: %v %v", old, err)
	}
	// Another ledger's key of the same name is another key.
	if old, err := s.ClaimIdempotencyKey(ctx, idemKey("L2", "k1", "other", t0)); err != nil || old != nil {
		t.Fatalf("claim in L2: %v %v", old, err)
	}
	old, err := s.ClaimIdempotencyKey(ctx, idemKey("L1", "k1", "fp2", t0.Add(time.Second)))
	if err != nil || old == nil || old.Done || old.Fingerprint != "fp" || old.Lease != k.Lease || !old.LeaseUntil.Equal(k.LeaseUntil) {
		t.Fatalf("second claim must return the first: %+v %v", old, err)
	}

	// A write that fails leaves the key unfinished.
	reply := customer.Reply{Status: 201, Header: map[string]string{"ETag": `"1"`}, Body: []byte(`{"ok":true}`)}
	idem := &customer.Idempotency{Key: k, Respond: func(c *customer.Customer) (customer.Reply, error) { return reply, nil }}
	c := minimal("L1", "1")
	if err := s.CreateCustomer(customer.WithIdempotency(ctx, idem), c); err != nil {
		t.Fatal(err)
	}
	if !idem.Completed || !k.Done {
		t.Fatal("the write did not complete the key")
	}
	dup := minimal("L1", "1")
	idem2 := &customer.Idempotency{Key: idemKey("L1", "k2", "fp", t0), Respond: idem.Respond}
	if old, err := s.ClaimIdempotencyKey(ctx, idem2.Key); err != nil || old != nil {
		t.Fatal(old, err)
	}
	code(t, s.CreateCustomer(customer.WithIdempotency(ctx, idem2), dup), customer.ECUSTOMEREXISTS)
	if idem2.Completed {
		t.Fatal("a failed write completed its key")
	}
	old, err = s.ClaimIdempotencyKey(ctx, idemKey("L1", "k2", "fp", t0))
	if err != nil || old == nil || old.Done {
		t.Fatalf("the key of a failed write: %+v %v", old, err)
	}
	if err := s.ReleaseIdempotencyKey(ctx, idem2.Key); err != nil {
		t.Fatal(err)
	}
	if old, err := s.ClaimIdempotencyKey(ctx, idemKey("L1", "k2", "fp", t0)); err != nil || old != nil {
		t.Fatalf("a released key must be free: %+v %v", old, err)
	}

	old, err = s.ClaimIdempotencyKey(ctx, idemKey("L1", "k1", "fp", t0.Add(time.Hour)))
	if err != nil || old == nil || !old.Done || old.Reply.Status != 201 || string(old.Reply.Body) != `{"ok":true}` || old.Reply.Header["ETag"] != `"1"` {
		t.Fatalf("completed key: %+v %v", old, err)
	}
	// Releasing a completed key does nothing.
	if err := s.ReleaseIdempotencyKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if old, _ := s.ClaimIdempotencyKey(ctx, idemKey("L1", "k1", "fp", t0.Add(time.Hour))); old == nil || !old.Done {
		t.Fatal("release removed a completed key")
	}

	// An update completes a key too, and a lost lease rolls the update back.
	k3 := idemKey("L1", "k3", "fp", t0)
	s.ClaimIdempotencyKey(ctx, k3)
	taker := idemKey("L1", "k3", "fp", t0.Add(time.Minute))
	if ok, err := s.TakeOverIdempotencyKey(ctx, taker, t0.Add(time.Second)); err != nil || ok {
		t.Fatalf("take-over within the lease: %v %v", ok, err)
	}
	if ok, err := s.TakeOverIdempotencyKey(ctx, taker, t0.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("take-over after the lease: %v %v", ok, err)
	}
	lost := &customer.Idempotency{Key: k3, Respond: idem.Respond}
	_, err = s.UpdateCustomer(customer.WithIdempotency(ctx, lost), "L1", "1", func(c *customer.Customer) error { c.Email = "x@y.se"; return nil })
	code(t, err, customer.ECONFLICT)
	if got, _ := s.Customer(ctx, "L1", "1"); got.Email != "" || got.Version != 1 {
		t.Fatalf("an update whose key was taken over was kept: %+v", got)
	}
	won := &customer.Idempotency{Key: taker, Respond: idem.Respond}
	if _, err := s.UpdateCustomer(customer.WithIdempotency(ctx, won), "L1", "1", func(c *customer.Customer) error { c.Email = "x@y.se"; return nil }); err != nil {
		t.Fatal(err)
	}
	if !won.Completed {
		t.Fatal("update did not complete the key")
	}
	if err := s.CompleteIdempotencyKey(ctx, taker); customer.ErrorCode(err) != customer.ECONFLICT {
		t.Fatalf("completing a completed key: %v", err)
	}

	// A key past its day is replaced by a new claim.
	late := idemKey("L1", "k1", "new", t0.Add(customer.IdempotencyTTL+time.Second))
	if old, err := s.ClaimIdempotencyKey(ctx, late); err != nil || old != nil {
		t.Fatalf("claim of an expired key: %+v %v", old, err)
	}
}
