package storetest

import (
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

func idemKey(ledgerNo, key, fp string, now time.Time) *customer.IdempotencyKey {
	return &customer.IdempotencyKey{LedgerNo: ledgerNo, Credential: "tok", Key: key, Fingerprint: fp, Lease: customer.NewLease(),
		LeaseUntil: now.Add(customer.IdempotencyLease), CreatedAt: now, ExpiresAt: now.Add(customer.IdempotencyTTL)}
}

// testIdempotency: a claim is exclusive per ledger, credential and key, a
// write completes the key in its own transaction (and a failed write leaves
// it unfinished), the answer is kept sealed beside it, an abandoned claim
// can be taken over and an expired key is replaced.
func testIdempotency(t *testing.T, s Store) {
	ledger(t, s, "L1", customer.NumbersClient)
	ledger(t, s, "L2", customer.NumbersClient)
	k := idemKey("L1", "k1", "fp", t0)
	if old, err := s.ClaimIdempotencyKey(ctx, k); err != nil || old != nil {
		t.Fatalf("first claim: %v %v", old, err)
	}
	// Another ledger's key of the same name is another key, and so is
	// another credential's.
	if old, err := s.ClaimIdempotencyKey(ctx, idemKey("L2", "k1", "other", t0)); err != nil || old != nil {
		t.Fatalf("claim in L2: %v %v", old, err)
	}
	other := idemKey("L1", "k1", "other", t0)
	other.Credential = "another-token"
	if old, err := s.ClaimIdempotencyKey(ctx, other); err != nil || old != nil {
		t.Fatalf("claim by another credential: %v %v", old, err)
	}
	old, err := s.ClaimIdempotencyKey(ctx, idemKey("L1", "k1", "fp2", t0.Add(time.Second)))
	if err != nil || old == nil || old.Done || old.Fingerprint != "fp" || old.Lease != k.Lease || !old.LeaseUntil.Equal(k.LeaseUntil) {
		t.Fatalf("second claim must return the first: %+v %v", old, err)
	}

	// A write completes the key in its transaction, naming what it wrote.
	c := minimal("L1", "1")
	if err := s.CreateCustomer(ctx, c, k); err != nil {
		t.Fatal(err)
	}
	if !k.Done || k.Written == nil || *k.Written != (customer.Written{CustomerNo: "1", Version: 1}) {
		t.Fatalf("the write did not complete the key: %+v", k)
	}
	old, err = s.ClaimIdempotencyKey(ctx, idemKey("L1", "k1", "fp", t0.Add(time.Hour)))
	if err != nil || old == nil || !old.Done || old.Written == nil || old.Written.CustomerNo != "1" || old.Answer != nil {
		t.Fatalf("the key after the write, before its answer is stored: %+v %v", old, err)
	}
	// A write that fails leaves its key unfinished.
	dup := minimal("L1", "1")
	k2 := idemKey("L1", "k2", "fp", t0)
	if old, err := s.ClaimIdempotencyKey(ctx, k2); err != nil || old != nil {
		t.Fatal(old, err)
	}
	code(t, s.CreateCustomer(ctx, dup, k2), customer.ECUSTOMEREXISTS)
	if k2.Done {
		t.Fatal("a failed write completed its key")
	}
	old, err = s.ClaimIdempotencyKey(ctx, idemKey("L1", "k2", "fp", t0))
	if err != nil || old == nil || old.Done {
		t.Fatalf("the key of a failed write: %+v %v", old, err)
	}
	if err := s.ReleaseIdempotencyKey(ctx, k2); err != nil {
		t.Fatal(err)
	}
	if old, err := s.ClaimIdempotencyKey(ctx, idemKey("L1", "k2", "fp", t0)); err != nil || old != nil {
		t.Fatalf("a released key must be free: %+v %v", old, err)
	}

	// The answer is stored after the write, and read back as it was.
	k.Answer = []byte(`{"status":201,"body":"eyJvayI6dHJ1ZX0="}`)
	if err := s.CompleteIdempotencyKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	old, err = s.ClaimIdempotencyKey(ctx, idemKey("L1", "k1", "fp", t0.Add(time.Hour)))
	if err != nil || old == nil || !old.Done || string(old.Answer) != string(k.Answer) || old.Written == nil {
		t.Fatalf("completed key: %+v %v", old, err)
	}
	// Releasing a completed key does nothing.
	if err := s.ReleaseIdempotencyKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if old, _ := s.ClaimIdempotencyKey(ctx, idemKey("L1", "k1", "fp", t0.Add(time.Hour))); old == nil || !old.Done {
		t.Fatal("release removed a completed key")
	}
	// A key that wrote nothing (a lookup) is completed with its answer alone.
	k4 := idemKey("L1", "k4", "fp", t0)
	s.ClaimIdempotencyKey(ctx, k4)
	k4.Answer = []byte("found")
	if err := s.CompleteIdempotencyKey(ctx, k4); err != nil {
		t.Fatal(err)
	}
	if old, _ := s.ClaimIdempotencyKey(ctx, idemKey("L1", "k4", "fp", t0)); old == nil || !old.Done || old.Written != nil || string(old.Answer) != "found" {
		t.Fatalf("a lookup's key: %+v", old)
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
	_, err = s.UpdateCustomer(ctx, "L1", "1", func(c *customer.Customer) error { c.Email = "x@y.se"; return nil }, k3)
	code(t, err, customer.ECONFLICT)
	if got, _ := s.Customer(ctx, "L1", "1"); got.Email != "" || got.Version != 1 {
		t.Fatalf("an update whose key was taken over was kept: %+v", got)
	}
	if _, err := s.UpdateCustomer(ctx, "L1", "1", func(c *customer.Customer) error { c.Email = "x@y.se"; return nil }, taker); err != nil {
		t.Fatal(err)
	}
	if !taker.Done || taker.Written == nil || taker.Written.Version != 2 {
		t.Fatalf("update did not complete the key: %+v", taker)
	}
	k3.Answer = []byte("late")
	if err := s.CompleteIdempotencyKey(ctx, k3); customer.ErrorCode(err) != customer.ECONFLICT {
		t.Fatalf("completing a key another request took over: %v", err)
	}

	// A key past its day is replaced by a new claim.
	late := idemKey("L1", "k1", "new", t0.Add(customer.IdempotencyTTL+time.Second))
	if old, err := s.ClaimIdempotencyKey(ctx, late); err != nil || old != nil {
		t.Fatalf("claim of an expired key: %+v %v", old, err)
	}
}
