package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
	kundevents "github.com/kund/kund/internal/events"
)

func queue(t *testing.T, s Store) kundevents.Queue {
	q, ok := s.(kundevents.Queue)
	if !ok {
		t.Fatalf("%T is not a webhook queue", s)
	}
	return q
}

func webhook(t *testing.T, s Store, ledgerNo string, types ...string) *customer.Webhook {
	t.Helper()
	w := &customer.Webhook{LedgerNo: ledgerNo, URL: "https://receiver.example/" + ledgerNo, Events: types, Secret: "whsec_" + ledgerNo, CreatedAt: t0}
	if err := s.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	return w
}

func claim(t *testing.T, q kundevents.Queue, now time.Time, limit int) []*customer.PendingDelivery {
	t.Helper()
	ps, err := q.Claim(ctx, now, time.Minute, limit)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// testWebhookQueue: a webhook gets a delivery for each event of its
// ledger after it was made whose type it wants, once; a claimed delivery
// is not claimed again until its outcome or its claim's end; an outcome
// decides when it is due again.
func testWebhookQueue(t *testing.T, s Store) {
	q := queue(t, s)
	ledger(t, s, "L", customer.NumbersClient)
	ledger(t, s, "M", customer.NumbersClient)
	create(t, s, minimal("L", "1")) // before the webhook: not its business
	w := webhook(t, s, "L", customer.EventCustomerCreated)
	all := webhook(t, s, "M", customer.AllEvents)
	for _, no := range []string{"2", "3", "4"} {
		create(t, s, minimal("L", no))
	}
	if _, err := s.UpdateCustomer(ctx, "L", "2", func(c *customer.Customer) error { c.Name = "Kari Nord"; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	create(t, s, minimal("M", "9"))
	// Dispatch looks at 3 events at most, shared among the webhooks behind
	// (each gets one), and says there is more; its deliveries come claimed,
	// with their events.
	got, more, err := q.Dispatch(ctx, t0, 3, time.Minute)
	if err != nil || !more || len(got) != 2 || got[0].Delivery.WebhookID == got[1].Delivery.WebhookID {
		t.Fatalf("dispatch of 3 events: %d deliveries, more %v, %v", len(got), more, err)
	}
	for more {
		var next []*customer.PendingDelivery
		if next, more, err = q.Dispatch(ctx, t0, 3, time.Minute); err != nil {
			t.Fatal(err)
		}
		got = append(got, next...)
	}
	if len(got) != 4 {
		t.Fatalf("%d deliveries in all, want 4", len(got))
	}
	slices.SortFunc(got, func(a, b *customer.PendingDelivery) int { return int(a.Delivery.ID - b.Delivery.ID) })
	if again, _, err := q.Dispatch(ctx, t0, 500, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("a second dispatch made %d deliveries, %v", len(again), err)
	}
	if len(claim(t, q, t0, 10)) != 0 {
		t.Fatal("dispatched deliveries were claimed again")
	}
	var seqs []int64
	for _, p := range got {
		d := p.Delivery
		if d.WebhookID == w.ID {
			seqs = append(seqs, d.Sequence)
			if d.EventType != customer.EventCustomerCreated || p.Event == nil || p.Event.Sequence != d.Sequence || p.Event.Type != d.EventType {
				t.Fatalf("delivery %+v with event %+v", d, p.Event)
			}
		} else if d.WebhookID != all.ID || d.LedgerNo != "M" || d.Sequence != 1 {
			t.Fatalf("delivery %+v", d)
		}
		if p.Webhook == nil || p.Webhook.Secret != "whsec_"+d.LedgerNo || d.Attempts != 1 || d.State != customer.DeliveryPending ||
			!d.Deadline.Equal(t0.Add(customer.WebhookRetryWindow)) {
			t.Fatalf("delivery %+v of webhook %+v", d, p.Webhook)
		}
	}
	slices.Sort(seqs)
	if !slices.Equal(seqs, []int64{2, 3, 4}) {
		t.Fatalf("webhook of customer.created got sequences %v", seqs)
	}

	// Outcomes: delivered, due again in a minute, failed, and one whose
	// outcome was lost (a crash), due again when its claim ends.
	at := t0.Add(time.Second)
	if err := q.Finish(ctx, []customer.DeliveryOutcome{
		{ID: got[0].Delivery.ID, Claim: got[0].Delivery.Claim, At: at, State: customer.DeliveryDelivered, Status: 204},
		{ID: got[1].Delivery.ID, Claim: got[1].Delivery.Claim, At: at, State: customer.DeliveryPending, NextAttemptAt: at.Add(time.Minute), Status: 500, Error: "the receiver answered 500", Response: "oops"},
		{ID: got[2].Delivery.ID, Claim: got[2].Delivery.Claim, At: at, State: customer.DeliveryFailed, Status: 410},
		// An outcome of an attempt that no longer holds the claim is dropped.
		{ID: got[3].Delivery.ID, Claim: got[3].Delivery.Claim + 1, At: at, State: customer.DeliveryDelivered, Status: 200},
	}); err != nil {
		t.Fatal(err)
	}
	if ps := claim(t, q, at.Add(30*time.Second), 10); len(ps) != 0 {
		t.Fatalf("claimed %d before anything was due", len(ps))
	}
	due := claim(t, q, at.Add(61*time.Second), 10)
	if len(due) != 2 {
		t.Fatalf("claimed %d when the retry and the lost claim were due", len(due))
	}
	for _, p := range due {
		if p.Delivery.ID != got[1].Delivery.ID && p.Delivery.ID != got[3].Delivery.ID || p.Delivery.Attempts != 2 {
			t.Fatalf("due %+v", p.Delivery)
		}
	}
	// The log, newest first, shows each state.
	ds, err := s.Deliveries(ctx, "L", w.ID, 0, 10)
	if err != nil || len(ds) != 3 {
		t.Fatalf("deliveries %v %v", ds, err)
	}
	for _, d := range ds {
		switch d.ID {
		case got[0].Delivery.ID, got[1].Delivery.ID, got[2].Delivery.ID, got[3].Delivery.ID:
		default:
			t.Fatalf("a delivery of another webhook: %+v", d)
		}
		if d.ID == got[0].Delivery.ID && (d.State != customer.DeliveryDelivered || d.LastStatus != 204 || !d.DeliveredAt.Equal(at)) {
			t.Fatalf("delivered %+v", d)
		}
		if d.ID == got[2].Delivery.ID && (d.State != customer.DeliveryFailed || !d.NextAttemptAt.IsZero()) {
			t.Fatalf("failed %+v", d)
		}
	}
	if ds[0].ID < ds[1].ID || ds[1].ID < ds[2].ID {
		t.Fatalf("not newest first: %d %d %d", ds[0].ID, ds[1].ID, ds[2].ID)
	}
	// Another ledger sees none of it.
	if _, err := s.Webhook(ctx, "M", w.ID); customer.ErrorCode(err) != customer.ENOTFOUND {
		t.Fatalf("ledger M reads L's webhook: %v", err)
	}
	if _, err := s.RetryDelivery(ctx, "M", w.ID, got[0].Delivery.ID, at); customer.ErrorCode(err) != customer.ENOTFOUND {
		t.Fatalf("ledger M retries L's delivery: %v", err)
	}
	// A retry makes a failed delivery due at once, with a new window.
	retried, err := s.RetryDelivery(ctx, "L", w.ID, got[2].Delivery.ID, at.Add(2*time.Minute))
	if err != nil || retried.State != customer.DeliveryPending || !retried.Deadline.Equal(at.Add(2*time.Minute+customer.WebhookRetryWindow)) {
		t.Fatalf("retried %+v, %v", retried, err)
	}
	if ps := claim(t, q, at.Add(2*time.Minute), 10); len(ps) != 1 || ps[0].Delivery.ID != retried.ID {
		t.Fatalf("after the retry claimed %d", len(ps))
	}
	// Released claims are due at once.
	if err := q.ReleaseClaims(ctx); err != nil {
		t.Fatal(err)
	}
	if ps := claim(t, q, at.Add(2*time.Minute), 10); len(ps) != 3 {
		t.Fatalf("after the release claimed %d", len(ps))
	}
	// A webhook behind a ledger whose events the retention deleted moves to
	// the journal's end, instead of looking behind for ever.
	gap := webhook(t, s, "M", customer.AllEvents)
	create(t, s, minimal("M", "10"))
	if _, err := s.(Sweeper).Sweep(ctx, t0.Add(10*365*24*time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if made, more, err := q.Dispatch(ctx, t0, 500, time.Minute); err != nil || len(made) != 0 || more {
			t.Fatalf("dispatch over swept events: %d, %v, %v", len(made), more, err)
		}
	}
	create(t, s, minimal("M", "11"))
	if made, _, err := q.Dispatch(ctx, t0, 500, time.Minute); err != nil || len(made) != 2 || made[0].Event.CustomerNo != "11" {
		t.Fatalf("after the gap: %d deliveries, %v", len(made), err)
	}
	// Deleting a webhook takes its deliveries.
	if err := s.DeleteWebhook(ctx, "L", w.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWebhook(ctx, "L", w.ID); customer.ErrorCode(err) != customer.ENOTFOUND {
		t.Fatalf("deleted twice: %v", err)
	}
	if ds, err := s.Deliveries(ctx, "L", w.ID, 0, 10); err != nil || len(ds) != 0 {
		t.Fatalf("deliveries of a deleted webhook: %d %v", len(ds), err)
	}
	if hooks, err := s.Webhooks(ctx, "M"); err != nil || len(hooks) != 2 || hooks[0].ID != all.ID || hooks[1].ID != gap.ID ||
		hooks[0].Secret != "" || hooks[0].Events[0] != customer.AllEvents {
		t.Fatalf("webhooks of M: %+v %v", hooks, err)
	}
}

// testWebhookLimit: a ledger has at most customer.MaxWebhooks webhooks,
// however many are made at once.
func testWebhookLimit(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	const tries = customer.MaxWebhooks + 10
	errs := make(chan error, tries)
	for range tries {
		go func() {
			errs <- s.CreateWebhook(ctx, &customer.Webhook{LedgerNo: "L", URL: "https://receiver.example/", Events: []string{customer.AllEvents},
				Secret: "whsec_x", CreatedAt: t0})
		}()
	}
	made, refused := 0, 0
	for range tries {
		switch err := <-errs; {
		case err == nil:
			made++
		case customer.ErrorCode(err) == customer.ECONFLICT:
			refused++
		default:
			t.Fatal(err)
		}
	}
	if made != customer.MaxWebhooks || refused != 10 {
		t.Fatalf("%d made, %d refused", made, refused)
	}
}
