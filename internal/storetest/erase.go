package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

// personal are the values of sample (and of what testErase adds to it)
// that no stored event may hold once the customer is erased.
var personal = []string{"19121212-1212", "britt@axelstopp.com", "+46701234567", "Axelstopp", "The street 18", "Axelgatan 18",
	"ringer efter", "123456789", "secret-answer", "551000******1232", "5012345678"}

func erasure(ledgerNo, no string) *customer.Erasure {
	return &customer.Erasure{LedgerNo: ledgerNo, CustomerNo: no, ErasedAt: t0.Add(time.Hour), Reason: "request of the customer, case 17"}
}

func testErase(t *testing.T, s Store) {
	c := compatStore(t, s)
	ledger(t, s, "L-1", customer.NumbersClient)
	ledger(t, s, "L-2", customer.NumbersClient)
	was := create(t, s, sample("L-1", "100"))
	other := create(t, s, sample("L-1", "200"))
	create(t, s, sample("L-2", "100"))
	if err := s.AddKYCAnswers(ctx, &customer.KYCAnswers{LedgerNo: "L-1", CustomerNo: "100", AnsweredAt: t0,
		Answers: []customer.KYCAnswer{{QuestionCode: "q", AnswerCode: "secret-answer"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCardRegistration(ctx, registration("r1", "100")); err != nil {
		t.Fatal(err)
	}
	consent := &customer.CardConsent{CardToken: "tok", MaskedNumber: "551000******1232", CardExpiry: "04/2035", ConsentExpiry: "04-2035", CreatedAt: t0}
	if _, err := s.FinishCardRegistration(ctx, "r1", customer.CardCompleted, consent, t0); err != nil {
		t.Fatal(err)
	}
	if err := c.SetProducts(ctx, "L-1", "100", []customer.Product{{Code: "p", ValidTo: t0.Truncate(time.Second)}}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSurplus(ctx, surplus("L-1", "100", "s1", "2023-01-01T00:00:00", 1250)); err != nil {
		t.Fatal(err)
	}
	order := &customer.DisbursementOrder{Norwegian: &customer.NorwegianAccount{AccountNo: "5012345678"}, CreatedAt: t0}
	if _, err := s.UpdateSurplus(ctx, "L-1", "100", "s1", func(sp *customer.Surplus) error {
		sp.ActiveOrder, sp.Status = order, customer.SurplusPendingDisbursement
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Events(ctx, "L-1", customer.EventQuery{CustomerNo: "100", Limit: 100})
	if err != nil || len(before) < 4 {
		t.Fatalf("events before: %d %v", len(before), err)
	}

	// A surplus pending disbursement blocks, and the refusal changes nothing.
	_, err = s.EraseCustomer(ctx, erasure("L-1", "100"), customer.RedactEvent)
	code(t, err, customer.EERASEBLOCKED)
	if got, err := s.Customer(ctx, "L-1", "100"); err != nil || got.Email != was.Email {
		t.Fatalf("after a refused erasure: %+v %v", got, err)
	}
	if after, _ := s.Events(ctx, "L-1", customer.EventQuery{CustomerNo: "100", Limit: 100}); len(after) != len(before) {
		t.Fatalf("a refused erasure wrote events: %d, before %d", len(after), len(before))
	}
	// Once paid out (depleted), it does not.
	if _, err := s.UpdateSurplus(ctx, "L-1", "100", "s1", func(sp *customer.Surplus) error {
		sp.Status = customer.SurplusDepleted
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e := erasure("L-1", "100")
	gone, err := s.EraseCustomer(ctx, e, customer.RedactEvent)
	if err != nil {
		t.Fatal(err)
	}
	if gone.Email != was.Email || gone.NationalID.RegNo != was.NationalID.RegNo {
		t.Fatalf("EraseCustomer returns the customer as it was: %+v", gone)
	}
	if e.LegalEntity != customer.Consumer || !e.CreatedAt.Equal(t0) {
		t.Fatalf("erasure: %+v", e)
	}

	// Every read by number says erased; nothing finds the customer.
	_, err = s.Customer(ctx, "L-1", "100")
	code(t, err, customer.ECUSTOMERERASED)
	_, err = s.CustomerByUUID(ctx, "L-1", was.UUID)
	code(t, err, customer.ECUSTOMERNOTFOUND)
	_, err = s.UpdateCustomer(ctx, "L-1", "100", func(*customer.Customer) error { return nil }, nil)
	code(t, err, customer.ECUSTOMERERASED)
	_, err = s.EraseCustomer(ctx, erasure("L-1", "100"), customer.RedactEvent)
	code(t, err, customer.ECUSTOMERERASED)
	_, err = s.EraseCustomer(ctx, erasure("L-1", "999"), customer.RedactEvent)
	code(t, err, customer.ECUSTOMERNOTFOUND)
	code(t, s.AddKYCAnswers(ctx, &customer.KYCAnswers{LedgerNo: "L-1", CustomerNo: "100", AnsweredAt: t0}), customer.ECUSTOMERERASED)
	code(t, s.CreateSurplus(ctx, surplus("L-1", "100", "s2", "2023-01-01T00:00:00", 1)), customer.ECUSTOMERERASED)
	code(t, s.CreateCardRegistration(ctx, registration("r2", "100")), customer.ECUSTOMERERASED)
	_, err = c.Products(ctx, "L-1", "100")
	code(t, err, customer.ECUSTOMERERASED)
	found, err := s.FindCustomers(ctx, "L-1", *was.NationalID, 10)
	if err != nil || len(found) != 1 || found[0].No != other.No {
		t.Fatalf("find after erasure: %v %v", found, err)
	}
	for _, f := range []customer.ListFilter{{Email: was.Email}, {MSISDN: was.MSISDN}, {NamePrefix: "britt"}, {RegNo: was.NationalID.RegNo}, {}} {
		f.Limit = 10
		list, err := s.ListCustomers(ctx, "L-1", f)
		if err != nil || len(list) != 1 || list[0].No != "200" {
			t.Fatalf("list %+v after erasure: %v %v", f, list, err)
		}
	}
	if list, err := s.KYCAnswers(ctx, "L-1", "100", 10); err != nil || len(list) != 0 {
		t.Fatalf("KYC answers kept: %v %v", list, err)
	}
	if _, err := s.CardConsent(ctx, "L-1", "100"); customer.ErrorCode(err) != customer.ENOTFOUND {
		t.Fatalf("card consent kept: %v", err)
	}
	if _, err := s.LatestCardRegistration(ctx, "L-1", "100"); customer.ErrorCode(err) != customer.ENOTFOUND {
		t.Fatalf("card registration kept: %v", err)
	}
	// The books keep the surplus, without the account it was paid to.
	sps, err := s.AllSurpluses(ctx, "L-1", "100")
	if err != nil || len(sps) != 1 || sps[0].Balance.Minor != 1250 || sps[0].ActiveOrder == nil ||
		sps[0].ActiveOrder.Norwegian == nil || sps[0].ActiveOrder.Norwegian.AccountNo != "" || !sps[0].ActiveOrder.CreatedAt.Equal(t0) {
		t.Fatalf("surpluses after erasure: %+v %v", sps, err)
	}
	kept, err := s.Erased(ctx, "L-1", "100")
	if err != nil || kept.Reason != e.Reason || !kept.ErasedAt.Equal(e.ErasedAt) || kept.LegalEntity != customer.Consumer {
		t.Fatalf("erasure record: %+v %v", kept, err)
	}
	_, err = s.Erased(ctx, "L-1", "200")
	code(t, err, customer.ENOTFOUND)

	// The journal keeps the events, without personal data, and ends with
	// customer.erased.
	evs, err := s.Events(ctx, "L-1", customer.EventQuery{CustomerNo: "100", Limit: 100})
	if err != nil || len(evs) != len(before)+2 {
		t.Fatalf("events after: %d (before %d) %v", len(evs), len(before), err)
	}
	if last := evs[len(evs)-1]; last.Type != customer.EventCustomerErased || !last.OccurredAt.Equal(e.ErasedAt) {
		t.Fatalf("last event: %+v", last)
	}
	for _, ev := range evs {
		for _, v := range personal {
			if bytes.Contains(ev.Object, []byte(v)) || bytes.Contains(ev.Previous, []byte(v)) {
				t.Fatalf("event %d (%s) still holds %q: %s %s", ev.Sequence, ev.Type, v, ev.Object, ev.Previous)
			}
		}
	}
	// The other customers keep theirs.
	if got, err := s.Customer(ctx, "L-2", "100"); err != nil || got.Email != was.Email {
		t.Fatalf("another ledger's customer: %+v %v", got, err)
	}
	if evs, _ := s.Events(ctx, "L-1", customer.EventQuery{CustomerNo: "200", Limit: 10}); len(evs) != 1 || !bytes.Contains(evs[0].Object, []byte(was.Email)) {
		t.Fatalf("another customer's events: %+v", evs)
	}

	// The number is never given again, by hand, in bulk or generated.
	code(t, s.CreateCustomer(ctx, sample("L-1", "100"), nil), customer.ECUSTOMEREXISTS)
	stored, err := bulk(t, s).CreateCustomers(ctx, "L-1", []*customer.Customer{sample("L-1", "100"), sample("L-1", "300")})
	if err != nil || stored[0] || !stored[1] {
		t.Fatalf("bulk over an erased number: %v %v", stored, err)
	}
	_, err = s.Customer(ctx, "L-1", "100")
	code(t, err, customer.ECUSTOMERERASED)

}
