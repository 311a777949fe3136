package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
)

// CompatStore is what the compatibility dialects add to a store.
type CompatStore interface {
	auth.CompatStore
	customer.ProductStore
}

func compatStore(t *testing.T, s Store) CompatStore {
	c, ok := s.(CompatStore)
	if !ok {
		t.Fatalf("%T keeps neither the dialects' credentials nor products", s)
	}
	return c
}

func testCompatCredentials(t *testing.T, s Store) {
	c := compatStore(t, s)
	ledger(t, s, "L", customer.NumbersClient)

	secret, pc := auth.NewPaywayClient("L", []string{"/external/account/r"}, t0)
	if err := c.CreatePaywayClient(ctx, pc); err != nil {
		t.Fatal(err)
	}
	got, err := c.PaywayClient(ctx, pc.ID)
	if err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", pc) || !got.CheckSecret(secret) || got.CheckSecret(secret+"x") {
		t.Fatalf("payway client: got %+v, %v; want %+v", got, err, pc)
	}
	_, err = c.PaywayClient(ctx, "nosuch")
	code(t, err, customer.ENOTFOUND)
	if err := c.CreatePaywayClient(ctx, pc); err == nil {
		t.Fatal("a payway client id was stored twice")
	}

	k := auth.NewWorldlineKey("L", t0)
	if err := c.CreateWorldlineKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	gk, err := c.WorldlineKey(ctx, k.ID)
	if err != nil || !reflect.DeepEqual(gk, k) {
		t.Fatalf("worldline key: got %+v, %v; want %+v", gk, err, k)
	}
	_, err = c.WorldlineKey(ctx, "nosuch")
	code(t, err, customer.ENOTFOUND)
	if err := c.CreateWorldlineKey(ctx, auth.NewWorldlineKey("nope", t0)); err == nil {
		t.Fatal("a key of a ledger that does not exist was stored")
	}

	id, ws := auth.NewWorldlineSession("L", 5, t0, 2*time.Hour)
	if err := c.CreateWorldlineSession(ctx, ws); err != nil {
		t.Fatal(err)
	}
	gs, err := c.WorldlineSession(ctx, auth.HashSecret(id))
	if err != nil || !reflect.DeepEqual(gs, ws) {
		t.Fatalf("worldline session: got %+v, %v; want %+v", gs, err, ws)
	}
	_, err = c.WorldlineSession(ctx, auth.HashSecret("s2"))
	code(t, err, customer.ENOTFOUND)
	// The quota: 5 units, spent within it or (a miss's rest) beyond.
	for _, step := range []struct {
		units  int
		within bool
		want   bool
	}{{1, true, true}, {3, true, true}, {2, true, false}, {1, true, true}, {1, true, false}, {2, false, true}, {1, true, false}} {
		if ok, err := c.ChargeWorldlineSession(ctx, ws.SecretHash, step.units, step.within); err != nil || ok != step.want {
			t.Fatalf("charge %+v: got %v, %v", step, ok, err)
		}
	}
	if gs, _ := c.WorldlineSession(ctx, ws.SecretHash); gs.Lookups != 7 {
		t.Fatalf("lookups spent: got %d, want 7", gs.Lookups)
	}
	if _, err := c.ChargeWorldlineSession(ctx, auth.HashSecret("s2"), 1, false); customer.ErrorCode(err) != customer.ENOTFOUND {
		t.Fatalf("charging no session: %v", err)
	}
	// A signature is used once.
	sig := auth.HashSecret("key:signature")
	for i, want := range []bool{true, false} {
		if fresh, err := c.UseWorldlineSignature(ctx, sig, t0.Add(15*time.Minute)); err != nil || fresh != want {
			t.Fatalf("signature use %d: got %v, %v", i+1, fresh, err)
		}
	}

	if ps, err := c.WorldlineProducts(ctx, "L"); err != nil || len(ps) != 0 {
		t.Fatalf("no products configured: %v %v", ps, err)
	}
	if err := c.SetWorldlineProduct(ctx, "L", 9000, []string{"SE", "NO"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWorldlineProduct(ctx, "L", 9000, []string{"DK"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWorldlineProduct(ctx, "L", 9100, []string{"FI"}); err != nil {
		t.Fatal(err)
	}
	if ps, err := c.WorldlineProducts(ctx, "L"); err != nil || !reflect.DeepEqual(ps, map[int][]string{9000: {"DK"}, 9100: {"FI"}}) {
		t.Fatalf("products: %v %v", ps, err)
	}
	if err := c.SetWorldlineProduct(ctx, "L", 9000, nil); err != nil {
		t.Fatal(err)
	}
	if ps, _ := c.WorldlineProducts(ctx, "L"); !reflect.DeepEqual(ps, map[int][]string{9100: {"FI"}}) {
		t.Fatalf("after removal: %v", ps)
	}
}

func testProducts(t *testing.T, s Store) {
	c := compatStore(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	ledger(t, s, "M", customer.NumbersClient)
	create(t, s, sample("L", "1"))
	create(t, s, sample("M", "1"))

	ps, err := c.Products(ctx, "L", "1")
	if err != nil || len(ps) != 0 || ps == nil {
		t.Fatalf("no products: %v %v", ps, err)
	}
	want := []customer.Product{{Code: "b", ValidTo: t0.Truncate(time.Second)}, {Code: "a", ValidTo: t0.Add(time.Hour).Truncate(time.Second)}}
	if err := c.SetProducts(ctx, "L", "1", want, t0); err != nil {
		t.Fatal(err)
	}
	if ps, err = c.Products(ctx, "L", "1"); err != nil || !reflect.DeepEqual(ps, want) {
		t.Fatalf("products: got %v %v, want %v", ps, err, want)
	}
	// Another ledger's customer with the same number has its own list.
	if ps, _ = c.Products(ctx, "M", "1"); len(ps) != 0 {
		t.Fatalf("ledger M sees L's products: %v", ps)
	}
	// PUT replaces.
	if err := c.SetProducts(ctx, "L", "1", want[1:], t0); err != nil {
		t.Fatal(err)
	}
	if ps, _ = c.Products(ctx, "L", "1"); !reflect.DeepEqual(ps, want[1:]) {
		t.Fatalf("after replace: %v", ps)
	}
	code(t, c.SetProducts(ctx, "L", "2", want, t0), customer.ECUSTOMERNOTFOUND)
	_, err = c.Products(ctx, "L", "2")
	code(t, err, customer.ECUSTOMERNOTFOUND)
}
