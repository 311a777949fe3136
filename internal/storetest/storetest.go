// Package storetest is the contract every Kund store must pass. Each
// backend's tests call Run with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

// Store is what the contract exercises.
type Store interface {
	customer.Store
	auth.Store
	register.LookupLog
	register.MonitorStore
}

// Run runs the whole contract on stores made by open.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"Ledgers", testLedgers},
		{"CreateAndRead", testCreateAndRead},
		{"CustomerNumberConflict", testNumberConflict},
		{"UUIDsFromTheStore", testUUIDs},
		{"GeneratedNumbers", testGeneratedNumbers},
		{"GeneratedNumbersConcurrently", testGeneratedConcurrently},
		{"Update", testUpdate},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"UpdateKeepsLookups", testUpdateKeepsLookups},
		{"ConcurrentUpdatesLoseNothing", testConcurrentUpdates},
		{"Find", testFind},
		{"List", testList},
		{"LedgerIsolation", testIsolation},
		{"Tokens", testTokens},
		{"CreateRollsBack", testCreateRollsBack},
		{"ConcurrentSameNumber", testConcurrentSameNumber},
		{"LedgerOptions", testLedgerOptions},
		{"Surpluses", testSurpluses},
		{"KYCAnswers", testKYCAnswers},
		{"CardConsents", testCardConsents},
		{"CompatCredentials", testCompatCredentials},
		{"Products", testProducts},
		{"RegisterLookups", testRegisterLookups},
		{"RegisterCursors", testRegisterCursors},
		{"MonitoredLedgersAndStaleAddresses", testMonitoredLedgers},
		{"Idempotency", testIdempotency},
		{"BulkCreateAndExport", testBulk},
		{"FailingWritesAmongManyUndoOnlyThemselves", testFailingAmongMany},
		{"BulkUUIDsFromTheStore", testBulkUUIDs},
		{"BulkManyCustomers", testBulkMany},
		{"BulkNumberTwiceFirstKeeps", testBulkTwiceFirstKeeps},
		{"Sweep", testSweep},
		{"Journal", testJournal},
		{"JournalRefusedWrites", testJournalRefusedWrites},
		{"JournalConcurrentWriters", testJournalConcurrent},
		{"JournalBulk", testJournalBulk},
		{"JournalSweep", testJournalSweep},
		{"WebhookQueue", testWebhookQueue},
		{"WebhookLimit", testWebhookLimit},
		{"Erase", testErase},
		{"SealedAtRest", testSealedAtRest},
		{"Operators", testOperators},
		{"OperatorSessions", testOperatorSessions},
		{"OperatorSessionSweep", testOperatorSessionSweep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var (
	ctx = context.Background()
	t0  = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
)

func ledger(t *testing.T, s Store, no, numbers string) *customer.Ledger {
	t.Helper()
	l := &customer.Ledger{No: no, Country: "SE", CustomerNumbers: numbers, CreatedAt: t0}
	if err := s.CreateLedger(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l
}

func uuid(prefix string) string { return fmt.Sprintf("%s%010d", prefix, rand.Int64N(10_000_000_000)) }

// sample is a customer with every property set.
func sample(ledgerNo, no string) *customer.Customer {
	return &customer.Customer{
		LedgerNo: ledgerNo, No: no, UUID: uuid("CSRT"),
		NationalID: &customer.NationalID{RegNo: "19121212-1212", CountryCode: "SE"},
		VATNo:      "SE101010101001", LegalEntity: customer.Consumer, Name: "Britt-Marie Axelstopp",
		Email: "britt@axelstopp.com", ProtectedIdentity: true, PreferredLanguage: "SV",
		LegalStatus: customer.StatusActive, MSISDN: "+46701234567", DistributionType: customer.DistributionPostal,
		TaxIdentificationNumber: "123456789",
		EDI:                     &customer.EDI{VAN: "ABCXYZ", InterchangeRecipient: "Recipient_ID1", BuyerID: "123456"},
		ActiveConsents:          []string{"Autogiro", "Kivra"},
		Metadata:                map[string]string{"crm": "A-17", "segment": "retail", "note": "ringer efter 17.00"},
		LegalAddress: customer.Address{UUID: uuid("ADRS"), Addressee: "Britt-Marie Axelstopp", StreetAddress: "The street 18",
			CoAddress: "c/o Jansson", City: "STOCKHOLM", ZipCode: "15961", CountryCode: "SE"},
		LegalSource: customer.SourceRegister, LegalConfirmedAt: t0.Add(-time.Hour),
		BillingAddress: &customer.Address{UUID: uuid("ADRS"), Addressee: "Kalle Axelstopp", StreetAddress: "Axelgatan 18",
			City: "STOCKHOLM", ZipCode: "16872", CountryCode: "SE"},
		CreatedAt: t0, UpdatedAt: t0,
	}
}

// minimal is a customer with only what is required.
func minimal(ledgerNo, no string) *customer.Customer {
	return &customer.Customer{
		LedgerNo: ledgerNo, No: no, UUID: uuid("CSRT"), LegalEntity: customer.Consumer, Name: "Kari Nordmann",
		LegalStatus: customer.StatusActive, ActiveConsents: []string{},
		LegalAddress: customer.Address{UUID: uuid("ADRS"), Addressee: "Kari Nordmann", City: "OSLO", ZipCode: "0150", CountryCode: "NO"},
		LegalSource:  customer.SourceCustomer,
		CreatedAt:    t0, UpdatedAt: t0,
	}
}

func create(t *testing.T, s Store, c *customer.Customer) *customer.Customer {
	t.Helper()
	if err := s.CreateCustomer(ctx, c, nil); err != nil {
		t.Fatalf("create %s: %v", c.No, err)
	}
	return c
}

func code(t *testing.T, err error, want string) {
	t.Helper()
	if got := customer.ErrorCode(err); got != want {
		t.Fatalf("error code: got %q (%v), want %q", got, err, want)
	}
}

func equal(t *testing.T, got, want *customer.Customer) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("customer differs:\n got %s\nwant %s", g, w)
	}
}

func testLedgers(t *testing.T, s Store) {
	l := ledger(t, s, "L-1", customer.NumbersGenerated)
	got, err := s.Ledger(ctx, "L-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, l) {
		t.Fatalf("got %+v, want %+v", got, l)
	}
	code(t, s.CreateLedger(ctx, &customer.Ledger{No: "L-1", Country: "NO", CustomerNumbers: customer.NumbersClient, CreatedAt: t0}), customer.ECONFLICT)
	_, err = s.Ledger(ctx, "L-2")
	code(t, err, customer.ENOTFOUND)
}

func testCreateAndRead(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	full := create(t, s, sample("L", "9999"))
	if full.Version != 1 {
		t.Fatalf("version after create: got %d, want 1", full.Version)
	}
	got, err := s.Customer(ctx, "L", "9999")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, got, full)
	got, err = s.CustomerByUUID(ctx, "L", full.UUID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, got, full)

	bare := create(t, s, minimal("L", "1"))
	got, err = s.Customer(ctx, "L", "1")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, got, bare)

	_, err = s.Customer(ctx, "L", "2")
	code(t, err, customer.ECUSTOMERNOTFOUND)
	_, err = s.CustomerByUUID(ctx, "L", "CSRT0000000000")
	code(t, err, customer.ECUSTOMERNOTFOUND)
}

func testNumberConflict(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	create(t, s, sample("L", "42"))
	code(t, s.CreateCustomer(ctx, minimal("L", "42"), nil), customer.ECUSTOMEREXISTS)
	got, err := s.Customer(ctx, "L", "42")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Britt-Marie Axelstopp" {
		t.Fatalf("the first customer was overwritten: %+v", got)
	}
}

// testUUIDs: the store gives every customer and every new address its
// uuid, whatever the customer brought: a create that brings another
// customer's uuids gets its own, an address added later gets its own and a
// kept one keeps its uuid, every uuid has its form and is distinct, and a
// lookup by uuid finds the customer in its own ledger only.
func testUUIDs(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	ledger(t, s, "G", customer.NumbersGenerated)
	a := create(t, s, sample("L", "1"))
	b := sample("L", "2")
	b.UUID, b.LegalAddress.UUID, b.BillingAddress.UUID = a.UUID, a.LegalAddress.UUID, a.LegalAddress.UUID
	create(t, s, b)
	for i := range 30 {
		create(t, s, minimal("L", fmt.Sprint(10+i)))
		create(t, s, sample("G", ""))
	}
	added, err := s.UpdateCustomer(ctx, "L", "10", func(c *customer.Customer) error {
		c.BillingAddress = &customer.Address{UUID: a.LegalAddress.UUID, Addressee: "A", City: "B", ZipCode: "11122", CountryCode: "SE"}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := s.UpdateCustomer(ctx, "L", "1", func(c *customer.Customer) error {
		c.LegalAddress = customer.Address{UUID: c.LegalAddress.UUID, Addressee: "A", City: "MALMÖ", ZipCode: "21122", CountryCode: "SE"}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if moved.LegalAddress.UUID != a.LegalAddress.UUID || moved.UUID != a.UUID || moved.BillingAddress.UUID != a.BillingAddress.UUID {
		t.Fatalf("a replaced address lost its uuid: %+v, was %+v", moved, a)
	}
	if added.BillingAddress.UUID == a.LegalAddress.UUID {
		t.Fatalf("an address added later kept another customer's uuid %s", a.LegalAddress.UUID)
	}
	seen := map[string]string{}
	for _, ledgerNo := range []string{"L", "G"} {
		cs, err := s.ListCustomers(ctx, ledgerNo, customer.ListFilter{Limit: 100})
		if err != nil || len(cs) < 30 {
			t.Fatalf("%s: %d customers, %v", ledgerNo, len(cs), err)
		}
		for _, c := range cs {
			uuids := map[string]string{c.UUID: "CSRT", c.LegalAddress.UUID: "ADRS"}
			if c.BillingAddress != nil {
				uuids[c.BillingAddress.UUID] = "ADRS"
			}
			for u, prefix := range uuids {
				if !uuidForm(prefix, u) {
					t.Fatalf("customer %s: uuid %q is not %s and 10 digits", c.No, u, prefix)
				}
				if other, ok := seen[u]; ok {
					t.Fatalf("uuid %s of customer %s is customer %s's too", u, c.No, other)
				}
				seen[u] = c.No
			}
			got, err := s.CustomerByUUID(ctx, ledgerNo, c.UUID)
			if err != nil {
				t.Fatalf("customer %s by its uuid %s: %v", c.No, c.UUID, err)
			}
			equal(t, got, c)
			other := map[string]string{"L": "G", "G": "L"}[ledgerNo]
			if _, err := s.CustomerByUUID(ctx, other, c.UUID); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
				t.Fatalf("customer %s of %s by uuid in ledger %s: %v", c.No, ledgerNo, other, err)
			}
		}
	}
	if len(seen) != 2*3+30*2+1+30*3 {
		t.Fatalf("%d distinct uuids", len(seen))
	}
	for _, u := range []string{"ADRS" + a.UUID[4:], a.LegalAddress.UUID, "CSRT123", a.UUID + "0", ""} {
		if _, err := s.CustomerByUUID(ctx, "L", u); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
			t.Fatalf("by uuid %q: %v", u, err)
		}
	}
}

func uuidForm(prefix, u string) bool {
	if len(u) != len(prefix)+10 || u[:len(prefix)] != prefix {
		return false
	}
	for _, r := range u[len(prefix):] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// lostKey is an idempotency key whose lease another request has taken
// over: a write with it fails at its end, after its statements ran.
func lostKey(t *testing.T, s Store, ledgerNo, name string) *customer.IdempotencyKey {
	t.Helper()
	svc := customer.NewService(s, func() time.Time { return t0 })
	key, _, err := svc.BeginIdempotent(ctx, customer.Caller{LedgerNo: ledgerNo, TokenID: "tok"}, name, "f")
	if err != nil {
		t.Fatal(err)
	}
	key.Lease = "someone else's"
	return key
}

func testGeneratedNumbers(t *testing.T, s Store) {
	ledger(t, s, "G", customer.NumbersGenerated)
	ledger(t, s, "H", customer.NumbersGenerated)
	first := create(t, s, minimal("G", ""))
	if first.No != customer.GeneratedCustomerNo(1) {
		t.Fatalf("first number: got %q, want %q", first.No, customer.GeneratedCustomerNo(1))
	}
	// A number taken otherwise (an import) is skipped.
	create(t, s, minimal("G", customer.GeneratedCustomerNo(2)))
	next := create(t, s, minimal("G", ""))
	if next.No != customer.GeneratedCustomerNo(3) {
		t.Fatalf("after a taken number: got %q, want %q", next.No, customer.GeneratedCustomerNo(3))
	}
	// Each ledger counts on its own.
	other := create(t, s, minimal("H", ""))
	if other.No != customer.GeneratedCustomerNo(1) {
		t.Fatalf("other ledger: got %q, want %q", other.No, customer.GeneratedCustomerNo(1))
	}
}

func testGeneratedConcurrently(t *testing.T, s Store) {
	ledger(t, s, "G", customer.NumbersGenerated)
	const n = 40
	nos := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := minimal("G", "")
			if err := s.CreateCustomer(ctx, c, nil); err != nil {
				errs <- err
				return
			}
			nos[i] = c.No
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sort.Strings(nos)
	for i, no := range nos {
		if want := customer.GeneratedCustomerNo(int64(i + 1)); no != want {
			t.Fatalf("numbers are not 1..%d without gaps or duplicates: %v", n, nos)
		}
	}
}

func testUpdate(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	c := create(t, s, sample("L", "7"))
	t1 := t0.Add(time.Hour)
	got, err := s.UpdateCustomer(ctx, "L", "7", func(c *customer.Customer) error {
		c.Email = ""
		c.EDI = nil
		c.BillingAddress = nil
		c.ActiveConsents = []string{"EInvoice"}
		c.Metadata["crm"] = "A-18"
		delete(c.Metadata, "note")
		c.LegalAddress.City = "GÖTEBORG"
		c.UpdatedAt = t1
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Fatalf("version: got %d, want 2", got.Version)
	}
	want := c.Clone()
	want.Email, want.EDI, want.BillingAddress, want.ActiveConsents = "", nil, nil, []string{"EInvoice"}
	want.Metadata = map[string]string{"crm": "A-18", "segment": "retail"}
	want.LegalAddress.City, want.UpdatedAt, want.Version = "GÖTEBORG", t1, 2
	equal(t, got, want)
	read, err := s.Customer(ctx, "L", "7")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, read, want)

	// A new billing address is stored with the uuid the store gives it.
	got, err = s.UpdateCustomer(ctx, "L", "7", func(c *customer.Customer) error {
		c.BillingAddress = &customer.Address{Addressee: "A", City: "B", ZipCode: "11122", CountryCode: "SE"}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !uuidForm("ADRS", got.BillingAddress.UUID) {
		t.Fatalf("a new billing address has uuid %q", got.BillingAddress.UUID)
	}
	read, err = s.Customer(ctx, "L", "7")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, read, got)

	_, err = s.UpdateCustomer(ctx, "L", "8", func(*customer.Customer) error { return nil }, nil)
	code(t, err, customer.ECUSTOMERNOTFOUND)
}

func testUpdateRollsBack(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	before := create(t, s, sample("L", "7"))

	boom := customer.Errorf(customer.EVALIDATION, "refused")
	_, err := s.UpdateCustomer(ctx, "L", "7", func(c *customer.Customer) error {
		c.Name = "changed"
		return boom
	}, nil)
	if err != boom {
		t.Fatalf("the error of fn: got %v, want it returned as is", err)
	}
	// A write that fails at its end, after its statements, rolls back too
	// (the new billing address and its uuid with it).
	_, err = s.UpdateCustomer(ctx, "L", "7", func(c *customer.Customer) error {
		c.Name = "changed"
		c.BillingAddress = &customer.Address{Addressee: "A", City: "B", ZipCode: "11122", CountryCode: "SE"}
		return nil
	}, lostKey(t, s, "L", "u"))
	code(t, err, customer.ECONFLICT)
	got, err := s.Customer(ctx, "L", "7")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, got, before)
}

func testConcurrentUpdates(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	create(t, s, minimal("L", "1"))
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateCustomer(ctx, "L", "1", func(c *customer.Customer) error {
				c.ActiveConsents = append(c.ActiveConsents, fmt.Sprint(i))
				return nil
			}, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Customer(ctx, "L", "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ActiveConsents) != n || got.Version != n+1 {
		t.Fatalf("after %d concurrent updates: %d values, version %d", n, len(got.ActiveConsents), got.Version)
	}
}

func testFind(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	ledger(t, s, "M", customer.NumbersClient)
	create(t, s, sample("L", "1"))
	id := customer.NationalID{RegNo: "19121212-1212", CountryCode: "SE"}
	cs, err := s.FindCustomers(ctx, "L", id, 2)
	if err != nil || len(cs) != 1 || cs[0].No != "1" {
		t.Fatalf("find one: %v %v", cs, err)
	}
	create(t, s, sample("L", "2"))
	create(t, s, sample("L", "3"))
	if cs, err = s.FindCustomers(ctx, "L", id, 2); err != nil || len(cs) != 2 {
		t.Fatalf("find with limit 2 among 3: got %d, %v", len(cs), err)
	}
	if cs, err = s.FindCustomers(ctx, "L", customer.NationalID{RegNo: "19121212-1212", CountryCode: "NO"}, 2); err != nil || len(cs) != 0 {
		t.Fatalf("another country must not match: %d, %v", len(cs), err)
	}
	if cs, err = s.FindCustomers(ctx, "M", id, 2); err != nil || len(cs) != 0 {
		t.Fatalf("another ledger must not match: %d, %v", len(cs), err)
	}
}

func testList(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	names := []string{"Åsa Öberg", "åsa Nilsson", "Bertil", "Asa Berg", "Östen"}
	for i, name := range names {
		c := minimal("L", fmt.Sprint(i+1))
		c.Name = name
		c.Email = fmt.Sprintf("p%d@example.com", i%2)
		c.CreatedAt = t0.Add(time.Duration(i) * time.Second)
		if i == 2 {
			c.NationalID = &customer.NationalID{RegNo: "19121212-1212", CountryCode: "SE"}
			c.MSISDN = "+46701234567"
			c.LegalAddress.ZipCode = "0151"
		}
		create(t, s, c)
	}
	nos := func(f customer.ListFilter) []string {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 100
		}
		cs, err := s.ListCustomers(ctx, "L", f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, c := range cs {
			out = append(out, c.No)
		}
		return out
	}
	for _, tt := range []struct {
		f    customer.ListFilter
		want []string
	}{
		{customer.ListFilter{}, []string{"5", "4", "3", "2", "1"}},
		{customer.ListFilter{Limit: 2}, []string{"5", "4"}},
		{customer.ListFilter{Skip: 2, Limit: 2}, []string{"3", "2"}},
		{customer.ListFilter{Skip: 5}, []string{}},
		{customer.ListFilter{NamePrefix: customer.NameKey("ÅSA")}, []string{"2", "1"}},
		{customer.ListFilter{NamePrefix: "asa"}, []string{"4"}},
		{customer.ListFilter{NamePrefix: "ö"}, []string{"5"}},
		{customer.ListFilter{NamePrefix: "x"}, []string{}},
		{customer.ListFilter{NamePrefix: "%"}, []string{}},
		{customer.ListFilter{Email: "p1@example.com"}, []string{"4", "2"}},
		{customer.ListFilter{MSISDN: "+46701234567"}, []string{"3"}},
		{customer.ListFilter{RegNo: "19121212-1212"}, []string{"3"}},
		{customer.ListFilter{ZipCode: "0151"}, []string{"3"}},
		{customer.ListFilter{Email: "p0@example.com", NamePrefix: "b"}, []string{"3"}},
	} {
		if got := nos(tt.f); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%+v: got %v, want %v", tt.f, got, tt.want)
		}
	}
}

func testIsolation(t *testing.T, s Store) {
	ledger(t, s, "A", customer.NumbersClient)
	ledger(t, s, "B", customer.NumbersClient)
	a := create(t, s, sample("A", "1"))
	// The same number in another ledger is another customer.
	create(t, s, minimal("B", "1"))
	if _, err := s.Customer(ctx, "B", "2"); customer.ErrorCode(err) != customer.ECUSTOMERNOTFOUND {
		t.Fatal(err)
	}
	got, err := s.Customer(ctx, "B", "1")
	if err != nil || got.Name != "Kari Nordmann" {
		t.Fatalf("ledger B sees %+v, %v", got, err)
	}
	_, err = s.CustomerByUUID(ctx, "B", a.UUID)
	code(t, err, customer.ECUSTOMERNOTFOUND)
	_, err = s.UpdateCustomer(ctx, "B", "1", func(c *customer.Customer) error { c.Name = "B's"; return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Customer(ctx, "A", "1"); got.Name != a.Name {
		t.Fatalf("an update in ledger B changed ledger A: %q", got.Name)
	}
	cs, err := s.ListCustomers(ctx, "B", customer.ListFilter{Limit: 10})
	if err != nil || len(cs) != 1 || cs[0].LedgerNo != "B" {
		t.Fatalf("list of B: %v %v", cs, err)
	}
}

func testTokens(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	_, tok := auth.New("L", []customer.Scope{customer.ScopeRead, customer.ScopeWrite}, t0, time.Hour)
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := s.Token(ctx, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tok) {
		t.Fatalf("got %+v, want %+v", got, tok)
	}
	_, err = s.Token(ctx, "0000000000000000")
	code(t, err, customer.ENOTFOUND)
	if err := s.RevokeToken(ctx, tok.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Token(ctx, tok.ID)
	if !got.RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("revoked at: got %v", got.RevokedAt)
	}
	code(t, s.RevokeToken(ctx, tok.ID, t0), customer.ENOTFOUND)
	_, other := auth.New("nope", []customer.Scope{customer.ScopeAll}, t0, 0)
	if err := s.CreateToken(ctx, other); err == nil {
		t.Fatal("a token of a ledger that does not exist was stored")
	}
}

// Every lookup by an indexed property follows an update, whichever
// properties it changes and in whatever combination (a store may leave
// out of its UPDATE the indexed columns that did not change).
func testUpdateKeepsLookups(t *testing.T, s Store) {
	ledger(t, s, "L", customer.NumbersClient)
	c := create(t, s, sample("L", "1"))
	create(t, s, minimal("L", "2"))
	finds := func(c *customer.Customer) []string {
		t.Helper()
		var missing []string
		for _, f := range []struct {
			name string
			f    customer.ListFilter
		}{
			{"name", customer.ListFilter{NamePrefix: customer.NameKey(c.Name)}},
			{"email", customer.ListFilter{Email: c.Email}},
			{"msisdn", customer.ListFilter{MSISDN: c.MSISDN}},
			{"zip", customer.ListFilter{ZipCode: c.LegalAddress.ZipCode}},
			{"regNo", customer.ListFilter{RegNo: c.NationalID.RegNo}},
		} {
			f.f.Limit = 10
			cs, err := s.ListCustomers(ctx, "L", f.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 || cs[0].No != c.No {
				missing = append(missing, f.name)
			}
		}
		if cs, err := s.FindCustomers(ctx, "L", *c.NationalID, 2); err != nil || len(cs) != 1 || cs[0].No != c.No {
			missing = append(missing, "find")
		}
		if got, err := s.CustomerByUUID(ctx, "L", c.UUID); err != nil || got.No != c.No {
			missing = append(missing, "uuid")
		}
		return missing
	}
	// Each change sets a value of its own for every update (m), so that
	// every change changes something.
	changes := []func(c *customer.Customer, m int){
		func(c *customer.Customer, m int) { c.Name = fmt.Sprintf("Namn %02d", m) },
		func(c *customer.Customer, m int) { c.Email = fmt.Sprintf("m%02d@example.se", m) },
		func(c *customer.Customer, m int) { c.MSISDN = fmt.Sprintf("+467012345%02d", m) },
		func(c *customer.Customer, m int) { c.LegalAddress.ZipCode = fmt.Sprintf("111%02d", m) },
		func(c *customer.Customer, m int) {
			c.NationalID = &customer.NationalID{RegNo: fmt.Sprintf("19121212-12%02d", m), CountryCode: "SE"}
		},
		func(c *customer.Customer, m int) { c.TaxIdentificationNumber = fmt.Sprint(m) },
	}
	// Every subset of the changes, one update each.
	for mask := 0; mask < 1<<len(changes); mask++ {
		old := c.Clone()
		got, err := s.UpdateCustomer(ctx, "L", "1", func(c *customer.Customer) error {
			for i, change := range changes {
				if mask&(1<<i) != 0 {
					change(c, mask)
				}
			}
			return nil
		}, nil)
		if err != nil {
			t.Fatalf("update %b: %v", mask, err)
		}
		if missing := finds(got); len(missing) > 0 {
			t.Fatalf("update %b: not found by its new %v", mask, missing)
		}
		// (The last change is to a property no lookup uses.)
		if mask&(1<<(len(changes)-1)-1) != 0 && len(finds(old)) == 0 {
			t.Fatalf("update %b: still found by every old value", mask)
		}
		c = got
	}
}
