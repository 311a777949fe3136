package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
)

func surplus(ledgerNo, customerNo, id, date string, minor int64) *customer.Surplus {
	return &customer.Surplus{LedgerNo: ledgerNo, CustomerNo: customerNo, ID: id, Balance: nordic.Amount{Minor: minor, Currency: "SEK"},
		Date: date, Status: customer.SurplusOpen, Invoice: "/ledger/invoice/v1/L/invoices/1", CreatedAt: t0, UpdatedAt: t0}
}

func testLedgerOptions(t *testing.T, s Store) {
	ledger(t, s, "L-1", customer.NumbersClient)
	re := `[0-9]+`
	qs := []customer.KYCQuestion{{QuestionCode: "q", QuestionText: map[string]string{"en": "Q?", "sv": "F?"},
		Answer: customer.KYCAnswerSpec{Type: customer.KYCText, Required: true, TextValidationRegEx: &re}}}
	l, err := s.UpdateLedger(ctx, "L-1", func(l *customer.Ledger) error {
		l.Disbursements, l.KYCQuestions, l.KYCRenewalDays, l.RegisterMonitoring = true, qs, 365, true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Ledger(ctx, "L-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, l) || !got.Disbursements || got.KYCRenewalDays != 365 || !reflect.DeepEqual(got.KYCQuestions, qs) || !got.RegisterMonitoring {
		t.Fatalf("got %+v, want %+v", got, l)
	}
	// An error of fn writes nothing.
	boom := errors.New("boom")
	if _, err := s.UpdateLedger(ctx, "L-1", func(l *customer.Ledger) error { l.Disbursements = false; return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	if got, _ := s.Ledger(ctx, "L-1"); !got.Disbursements {
		t.Fatal("a failed update was written")
	}
	_, err = s.UpdateLedger(ctx, "L-9", func(*customer.Ledger) error { return nil })
	code(t, err, customer.ENOTFOUND)
}

func testSurpluses(t *testing.T, s Store) {
	ledger(t, s, "L-1", customer.NumbersClient)
	create(t, s, sample("L-1", "100"))
	create(t, s, sample("L-1", "200"))
	code(t, s.CreateSurplus(ctx, surplus("L-1", "999", "a", "2023-01-01T00:00:00", 100)), customer.ECUSTOMERNOTFOUND)
	for i, id := range []string{"c", "A", "b"} {
		if err := s.CreateSurplus(ctx, surplus("L-1", "100", id, []string{"2023-01-03T00:00:00", "2023-01-01T00:00:00", "2023-01-02T00:00:00"}[i], int64(i+1)*1000)); err != nil {
			t.Fatal(err)
		}
	}
	// The same id in another letter case is taken; for another customer it is not.
	code(t, s.CreateSurplus(ctx, surplus("L-1", "100", "a", "2023-01-01T00:00:00", 1)), customer.ECONFLICT)
	if err := s.CreateSurplus(ctx, surplus("L-1", "200", "a", "2023-01-01T00:00:00", 1)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Surplus(ctx, "L-1", "100", "a")
	if err != nil {
		t.Fatal(err)
	}
	if want := surplus("L-1", "100", "A", "2023-01-01T00:00:00", 2000); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	_, err = s.Surplus(ctx, "L-1", "100", "zzz")
	code(t, err, customer.ENOTFOUND)

	ids := func(list []*customer.Surplus) (out []string) {
		for _, x := range list {
			out = append(out, x.ID)
		}
		return out
	}
	list, err := s.ListSurpluses(ctx, "L-1", "100", 0, 10)
	if err != nil || !reflect.DeepEqual(ids(list), []string{"A", "b", "c"}) {
		t.Fatalf("list: %v %v", ids(list), err)
	}
	list, _ = s.ListSurpluses(ctx, "L-1", "100", 1, 1)
	if !reflect.DeepEqual(ids(list), []string{"b"}) {
		t.Fatalf("page: %v", ids(list))
	}

	order := &customer.DisbursementOrder{Swedish: &customer.SwedishAccount{AccountNo: "3300-1010101010", AccountType: "BKSE"},
		CreatedAt: t0.Add(time.Hour)}
	up, err := s.UpdateSurplus(ctx, "L-1", "100", "B", func(x *customer.Surplus) error {
		x.Status, x.ActiveOrder, x.UpdatedAt = customer.SurplusPendingDisbursement, order, t0.Add(time.Hour)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.Surplus(ctx, "L-1", "100", "b")
	if !reflect.DeepEqual(got, up) || got.Status != customer.SurplusPendingDisbursement || !reflect.DeepEqual(got.ActiveOrder, order) {
		t.Fatalf("got %+v, want %+v", got, up)
	}
	boom := errors.New("boom")
	if _, err := s.UpdateSurplus(ctx, "L-1", "100", "b", func(x *customer.Surplus) error { x.ActiveOrder = nil; return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if got, _ := s.Surplus(ctx, "L-1", "100", "b"); got.ActiveOrder == nil {
		t.Fatal("a failed update was written")
	}
	_, err = s.UpdateSurplus(ctx, "L-1", "100", "nope", func(*customer.Surplus) error { return nil })
	code(t, err, customer.ENOTFOUND)

	// Depleted surpluses are not listed but can still be read by the store.
	if _, err := s.UpdateSurplus(ctx, "L-1", "100", "c", func(x *customer.Surplus) error { x.Status = customer.SurplusDepleted; return nil }); err != nil {
		t.Fatal(err)
	}
	list, _ = s.ListSurpluses(ctx, "L-1", "100", 0, 10)
	if !reflect.DeepEqual(ids(list), []string{"A", "b"}) {
		t.Fatalf("list after depletion: %v", ids(list))
	}
	if got, err := s.Surplus(ctx, "L-1", "100", "c"); err != nil || got.Status != customer.SurplusDepleted {
		t.Fatalf("depleted: %+v %v", got, err)
	}
}

func testKYCAnswers(t *testing.T, s Store) {
	ledger(t, s, "L-1", customer.NumbersClient)
	create(t, s, sample("L-1", "100"))
	code(t, s.AddKYCAnswers(ctx, &customer.KYCAnswers{LedgerNo: "L-1", CustomerNo: "999", AnsweredAt: t0}), customer.ECUSTOMERNOTFOUND)
	list, err := s.KYCAnswers(ctx, "L-1", "100", 10)
	if err != nil || len(list) != 0 {
		t.Fatalf("no answers yet: %v %v", list, err)
	}
	first := &customer.KYCAnswers{LedgerNo: "L-1", CustomerNo: "100", AnsweredAt: t0,
		Answers: []customer.KYCAnswer{{QuestionCode: "q", AnswerCode: "1"}}}
	second := &customer.KYCAnswers{LedgerNo: "L-1", CustomerNo: "100", AnsweredAt: t0.Add(24 * time.Hour),
		Answers: []customer.KYCAnswer{{QuestionCode: "q", AnswerCode: "2"}, {QuestionCode: "m", AnswerCode: "x"}}}
	for _, a := range []*customer.KYCAnswers{first, second} {
		if err := s.AddKYCAnswers(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	list, err = s.KYCAnswers(ctx, "L-1", "100", 10)
	if err != nil || !reflect.DeepEqual(list, []*customer.KYCAnswers{second, first}) {
		t.Fatalf("history: %+v %v", list, err)
	}
	list, _ = s.KYCAnswers(ctx, "L-1", "100", 1)
	if !reflect.DeepEqual(list, []*customer.KYCAnswers{second}) {
		t.Fatalf("latest: %+v", list)
	}
}
