package storetest

import (
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

func testRegisterLookups(t *testing.T, s Store) {
	ledger(t, s, "A", customer.NumbersClient)
	ledger(t, s, "B", customer.NumbersClient)
	alice := register.HashSubject("A", "SE", "19121212-1212")
	bob := register.HashSubject("A", "SE", "19811218-9876")
	var logged []*register.Lookup
	for i := 0; i < 7; i++ {
		l := &register.Lookup{LedgerNo: "A", TokenID: "tok1", SubjectHash: alice, Purpose: register.PurposeGenerate,
			Outcome: register.OutcomeFound, At: t0.Add(time.Duration(i) * time.Second)}
		if i%3 == 0 {
			l.SubjectHash, l.Outcome = bob, register.OutcomeNotFound
		}
		if err := s.LogRegisterLookup(ctx, l); err != nil {
			t.Fatal(err)
		}
		if l.ID == 0 || (len(logged) > 0 && l.ID <= logged[len(logged)-1].ID) {
			t.Fatalf("entry %d got id %d after %v", i, l.ID, logged)
		}
		logged = append(logged, l)
	}
	if err := s.LogRegisterLookup(ctx, &register.Lookup{LedgerNo: "B", TokenID: "tok2", SubjectHash: alice,
		Purpose: register.PurposeUpdateAddress, Outcome: register.OutcomeUnavailable, At: t0}); err != nil {
		t.Fatal(err)
	}

	page, err := s.RegisterLookups(ctx, "A", nil, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[0].ID != logged[6].ID || page[2].ID != logged[4].ID {
		t.Fatalf("first page %+v", page)
	}
	if got := *page[0]; got != *logged[6] {
		t.Fatalf("read back %+v, wrote %+v", got, *logged[6])
	}
	page, _ = s.RegisterLookups(ctx, "A", nil, 6, 3)
	if len(page) != 1 || page[0].ID != logged[0].ID {
		t.Fatalf("last page %+v", page)
	}
	page, _ = s.RegisterLookups(ctx, "A", []string{bob}, 0, 10)
	if len(page) != 3 || page[0].SubjectHash != bob || page[0].Outcome != register.OutcomeNotFound {
		t.Fatalf("bob's lookups %+v", page)
	}
	page, _ = s.RegisterLookups(ctx, "B", nil, 0, 10)
	if len(page) != 1 || page[0].TokenID != "tok2" || page[0].Purpose != register.PurposeUpdateAddress {
		t.Fatalf("ledger B sees %+v", page)
	}
	if page, _ := s.RegisterLookups(ctx, "C", nil, 0, 10); len(page) != 0 {
		t.Fatalf("an unknown ledger sees %+v", page)
	}
}
