package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/sqlstore"
)

// sealingStore is what the encryption-at-rest contract needs besides Store.
type sealingStore interface {
	Pools() map[string]*sql.DB
	Q(query string) string
	SealClear(ctx context.Context, progress sqlstore.Progress) error
	SealedVersions(ctx context.Context) (map[uint32]int64, error)
}

func sealing(t *testing.T, s Store) (sealingStore, *sql.DB) {
	t.Helper()
	ss, ok := s.(sealingStore)
	if !ok {
		t.Fatalf("%T does not seal values at rest", s)
	}
	pools := ss.Pools()
	if w, ok := pools["write"]; ok {
		return ss, w
	}
	return ss, pools["db"]
}

// testSealedAtRest checks that personal data is stored sealed, and that a
// database written before encryption at rest is sealed in place.
func testSealedAtRest(t *testing.T, s Store) {
	ss, raw := sealing(t, s)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, ss.Q(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ledger(t, s, "L-1", customer.NumbersClient)
	a := create(t, s, sample("L-1", "100"))
	b := sample("L-1", "200")
	b.Email, b.MSISDN = "other@example.se", "+46709876543"
	create(t, s, b)
	if err := s.AddKYCAnswers(ctx, &customer.KYCAnswers{LedgerNo: "L-1", CustomerNo: "100", AnsweredAt: t0,
		Answers: []customer.KYCAnswer{{QuestionCode: "q", AnswerCode: "secret-answer"}}}); err != nil {
		t.Fatal(err)
	}
	// What is stored: sealed values, empty clear columns.
	var regNo sql.NullString
	var email, msisdn, taxID, sealed, object, answers string
	if err := raw.QueryRowContext(ctx, ss.Q(`SELECT reg_no, email, msisdn, tax_id, sealed FROM customers WHERE customer_no = ?`), "100").
		Scan(&regNo, &email, &msisdn, &taxID, &sealed); err != nil {
		t.Fatal(err)
	}
	if regNo.Valid || email != "" || msisdn != "" || taxID != "" || !strings.HasPrefix(sealed, "~") || strings.Contains(sealed, a.Email) {
		t.Fatalf("stored: %v %q %q %q %q", regNo, email, msisdn, taxID, sealed)
	}
	if err := raw.QueryRowContext(ctx, ss.Q(`SELECT object FROM events WHERE customer_no = ? ORDER BY sequence LIMIT 1`), "100").Scan(&object); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRowContext(ctx, `SELECT answers FROM kyc_answers`).Scan(&answers); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(object, "~") || !strings.HasPrefix(answers, "~") {
		t.Fatalf("stored in clear: %q %q", object, answers)
	}

	// A database of an earlier Kund: the same rows in clear.
	evs, err := s.Events(ctx, "L-1", customer.EventQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*customer.Customer{a, b} {
		exec(`UPDATE customers SET reg_no = ?, email = ?, msisdn = ?, tax_id = ?, sealed = NULL, reg_index = NULL, email_index = NULL, msisdn_index = NULL
			WHERE customer_no = ?`, c.NationalID.RegNo, c.Email, c.MSISDN, c.TaxIdentificationNumber, c.No)
	}
	for _, e := range evs {
		exec(`UPDATE events SET object = ? WHERE ledger_no = ? AND sequence = ?`, string(e.Object), e.LedgerNo, e.Sequence)
	}
	clearAnswers, _ := json.Marshal([]customer.KYCAnswer{{QuestionCode: "q", AnswerCode: "secret-answer"}})
	exec(`UPDATE kyc_answers SET answers = ?`, string(clearAnswers))
	if got, err := s.Customer(ctx, "L-1", "100"); err != nil || got.Email != a.Email || got.NationalID.RegNo != a.NationalID.RegNo {
		t.Fatalf("a clear row reads: %+v %v", got, err)
	}
	if counts, err := ss.SealedVersions(ctx); err != nil || counts[0] != 2+int64(len(evs))+1 {
		t.Fatalf("values in clear: %v %v (want %d)", counts, err, 2+len(evs)+1)
	}

	// A write of a row in clear seals it and gives it its blind indexes.
	if _, err := s.UpdateCustomer(ctx, "L-1", "200", func(c *customer.Customer) error { c.Name = "Other Name"; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if list, err := s.ListCustomers(ctx, "L-1", customer.ListFilter{Email: b.Email, Limit: 10}); err != nil || len(list) != 1 {
		t.Fatalf("a customer written in clear and then updated is not found by e-mail: %v %v", list, err)
	}
	// A start does not walk a database that the migration found empty...
	if err := ss.SealClear(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if counts, _ := ss.SealedVersions(ctx); counts[0] == 0 {
		t.Fatal("SealClear walked a database without the migration's mark")
	}
	// ... and walks one it found rows in, as it found these.
	exec(`INSERT INTO seal_pending (what) VALUES ('clear values')`)
	if err := ss.SealClear(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var pending int
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM seal_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Fatalf("the mark after sealing: %d %v", pending, err)
	}
	counts, err := ss.SealedVersions(ctx)
	if err != nil || counts[0] != 0 || len(counts) != 2 {
		t.Fatalf("after sealing: %v %v", counts, err)
	}
	if err := raw.QueryRowContext(ctx, ss.Q(`SELECT email, sealed FROM customers WHERE customer_no = ?`), "200").Scan(&email, &sealed); err != nil ||
		email != "" || !strings.HasPrefix(sealed, "~") {
		t.Fatalf("after sealing: %q %q %v", email, sealed, err)
	}
	// Everything reads as before, and every lookup finds it again.
	if got, err := s.Customer(ctx, "L-1", "200"); err != nil || got.Email != b.Email || got.MSISDN != b.MSISDN || got.TaxIdentificationNumber != b.TaxIdentificationNumber {
		t.Fatalf("read after sealing: %+v %v", got, err)
	}
	if found, err := s.FindCustomers(ctx, "L-1", *a.NationalID, 10); err != nil || len(found) != 2 {
		t.Fatalf("find after sealing: %v %v", found, err)
	}
	for _, f := range []customer.ListFilter{{Email: b.Email}, {MSISDN: b.MSISDN}} {
		f.Limit = 10
		if list, err := s.ListCustomers(ctx, "L-1", f); err != nil || len(list) != 1 || list[0].No != "200" {
			t.Fatalf("list %+v after sealing: %v %v", f, list, err)
		}
	}
	after, err := s.Events(ctx, "L-1", customer.EventQuery{Limit: 100})
	if err != nil || len(after) != len(evs)+1 || string(after[0].Object) != string(evs[0].Object) { // +1: the update above
		t.Fatalf("events after sealing: %v", err)
	}
	if kyc, err := s.KYCAnswers(ctx, "L-1", "100", 1); err != nil || len(kyc) != 1 || kyc[0].Answers[0].AnswerCode != "secret-answer" {
		t.Fatalf("KYC answers after sealing: %+v %v", kyc, err)
	}
	// Sealing again finds nothing to do.
	exec(`INSERT INTO seal_pending (what) VALUES ('clear values')`)
	if err := ss.SealClear(ctx, func(what string, n int64) {
		if n > 0 {
			t.Errorf("sealed %d of %s again", n, what)
		}
	}); err != nil {
		t.Fatal(err)
	}
}
