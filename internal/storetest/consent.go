package storetest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

func registration(id, customerNo string) *customer.CardRegistration {
	return &customer.CardRegistration{ID: id, LedgerNo: "L-1", CustomerNo: customerNo, Status: customer.CardInitialized,
		RedirectURL: "http://k/sandbox/" + id, CompleteURL: "https://shop/ok", CancelURL: "https://shop/cancel", Language: "sv-SE",
		CreatedAt: t0, UpdatedAt: t0}
}

func testCardConsents(t *testing.T, s Store) {
	ledger(t, s, "L-1", customer.NumbersClient)
	before := create(t, s, sample("L-1", "100")).ActiveConsents
	code(t, s.CreateCardRegistration(ctx, registration("r0", "999")), customer.ECUSTOMERNOTFOUND)
	_, err := s.LatestCardRegistration(ctx, "L-1", "100")
	code(t, err, customer.ENOTFOUND)
	r1 := registration("r1", "100")
	if err := s.CreateCardRegistration(ctx, r1); err != nil {
		t.Fatal(err)
	}
	// One Initialized registration at a time.
	code(t, s.CreateCardRegistration(ctx, registration("r2", "100")), customer.ECONFLICT)
	if got, err := s.CardRegistration(ctx, "r1"); err != nil || !reflect.DeepEqual(got, r1) {
		t.Fatalf("got %+v %v, want %+v", got, err, r1)
	}
	_, err = s.CardRegistration(ctx, "nope")
	code(t, err, customer.ENOTFOUND)

	t1 := t0.Add(time.Minute)
	consent := &customer.CardConsent{CardToken: "tok", MaskedNumber: "551000******1232", CardExpiry: "04/2035", ConsentExpiry: "04-2035", CreatedAt: t1}
	done, err := s.FinishCardRegistration(ctx, "r1", customer.CardCompleted, consent, t1)
	if err != nil || done.Status != customer.CardCompleted || !done.UpdatedAt.Equal(t1) {
		t.Fatalf("finish: %+v %v", done, err)
	}
	_, err = s.FinishCardRegistration(ctx, "r1", customer.CardAborted, nil, t1)
	code(t, err, customer.ECONFLICT)
	got, err := s.CardConsent(ctx, "L-1", "100")
	if err != nil || !reflect.DeepEqual(got, &customer.CardConsent{LedgerNo: "L-1", CustomerNo: "100", CardToken: "tok",
		MaskedNumber: "551000******1232", CardExpiry: "04/2035", ConsentExpiry: "04-2035", CreatedAt: t1}) {
		t.Fatalf("consent %+v %v", got, err)
	}
	c, _ := s.Customer(ctx, "L-1", "100")
	if !reflect.DeepEqual(c.ActiveConsents, append(slices.Clone(before), customer.ConsentRecurringCard)) || c.Version != 2 {
		t.Fatalf("customer after the consent: %v version %d", c.ActiveConsents, c.Version)
	}

	// A new registration may start once the last one ended; the newest is
	// the latest even within one clock tick.
	if err := s.CreateCardRegistration(ctx, registration("r2", "100")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LatestCardRegistration(ctx, "L-1", "100"); got.ID != "r2" {
		t.Fatalf("latest %s", got.ID)
	}
	if _, err := s.FinishCardRegistration(ctx, "r2", customer.CardFailed, nil, t1); err != nil {
		t.Fatal(err)
	}

	if err := s.DeleteCardConsent(ctx, "L-1", "100", t1); err != nil {
		t.Fatal(err)
	}
	code(t, s.DeleteCardConsent(ctx, "L-1", "100", t1), customer.ENOTFOUND)
	_, err = s.CardConsent(ctx, "L-1", "100")
	code(t, err, customer.ENOTFOUND)
	c, _ = s.Customer(ctx, "L-1", "100")
	if !reflect.DeepEqual(c.ActiveConsents, before) || c.Version != 3 {
		t.Fatalf("customer after delete: %v version %d", c.ActiveConsents, c.Version)
	}
}
