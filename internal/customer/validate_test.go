package customer

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func fields(err error) string {
	var f []string
	for _, p := range ErrorProblems(err) {
		f = append(f, p.Field)
	}
	sort.Strings(f)
	return strings.Join(f, " ")
}

func valid() *NewCustomer {
	return &NewCustomer{
		CustomerNo: "9999", Name: " Britt-Marie Axelstopp ",
		NationalID:   &NationalIDInput{RegNo: "191212121212", CountryCode: "se"},
		LegalAddress: &AddressInput{Addressee: "Britt-Marie", City: "STOCKHOLM", ZipCode: "159 61", CountryCode: "se"},
	}
}

func TestValidateNewCustomer(t *testing.T) {
	client := &Ledger{No: "L", Country: "SE", CustomerNumbers: NumbersClient}
	generated := &Ledger{No: "G", Country: "NO", CustomerNumbers: NumbersGenerated}

	c, err := valid().Validate(client, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Britt-Marie Axelstopp" || c.NationalID.RegNo != "19121212-1212" || c.NationalID.CountryCode != "SE" ||
		c.LegalAddress.ZipCode != "15961" || c.LegalAddress.CountryCode != "SE" || c.LegalEntity != Consumer ||
		c.LegalStatus != StatusActive || c.ActiveConsents == nil {
		t.Fatalf("normalised: %+v %+v", c, c.NationalID)
	}

	for _, tt := range []struct {
		name   string
		ledger *Ledger
		change func(*NewCustomer)
		fields string
	}{
		{"no number", client, func(n *NewCustomer) { n.CustomerNo = "" }, "customerNo"},
		{"letters in number", client, func(n *NewCustomer) { n.CustomerNo = "A1" }, "customerNo"},
		{"16 digits", client, func(n *NewCustomer) { n.CustomerNo = "1234567890123456" }, "customerNo"},
		{"15 digits", client, func(n *NewCustomer) { n.CustomerNo = "123456789012345" }, ""},
		{"number on a generating ledger", generated, func(n *NewCustomer) {}, "customerNo"},
		{"no identity on a generating ledger", generated, func(n *NewCustomer) { n.CustomerNo = ""; n.NationalID = nil }, "nationalIdentifier"},
		{"generating ledger", generated, func(n *NewCustomer) { n.CustomerNo = "" }, ""},
		{"no name", client, func(n *NewCustomer) { n.Name = "  " }, "name"},
		{"long name", client, func(n *NewCustomer) { n.Name = strings.Repeat("å", 73) }, "name"},
		{"72-character name", client, func(n *NewCustomer) { n.Name = strings.Repeat("å", 72) }, ""},
		{"control character", client, func(n *NewCustomer) { n.Name = "a\u0007b" }, "name"},
		{"bad check digit", client, func(n *NewCustomer) { n.NationalID.RegNo = "19121212-1213" }, "nationalIdentifier.regNo"},
		{"no country", client, func(n *NewCustomer) { n.NationalID.CountryCode = "" }, "nationalIdentifier.countryCode"},
		{"unknown country", client, func(n *NewCustomer) { n.NationalID.CountryCode = "QQ" }, "nationalIdentifier.countryCode"},
		{"foreign number kept", client, func(n *NewCustomer) { n.NationalID = &NationalIDInput{RegNo: "AB 123456", CountryCode: "DE"} }, ""},
		{"foreign number with odd characters", client, func(n *NewCustomer) { n.NationalID = &NationalIDInput{RegNo: "AB<1>", CountryCode: "DE"} }, "nationalIdentifier.regNo"},
		{"organisation as consumer", client, func(n *NewCustomer) {
			n.NationalID.RegNo = "556016-0680"
			n.LegalEntity = "consumer"
		}, "legalEntity"},
		{"sole trader", client, func(n *NewCustomer) { n.LegalEntity = "Business" }, ""},
		{"bad entity", client, func(n *NewCustomer) { n.LegalEntity = "person" }, "legalEntity"},
		{"bad VAT", client, func(n *NewCustomer) { n.VATNo = "SE101010101002" }, "vatNo"},
		{"bad e-mail", client, func(n *NewCustomer) { n.Email = "britt@axelstopp" }, "emailAddress"},
		{"bad msisdn", client, func(n *NewCustomer) { n.MSISDN = "+91485918841" }, "msisdn"},
		{"bad language", client, func(n *NewCustomer) { n.PreferredLanguage = "DE" }, "preferredLanguageCode"},
		{"lower-case language", client, func(n *NewCustomer) { n.PreferredLanguage = "sv" }, ""},
		{"bad distribution", client, func(n *NewCustomer) { n.DistributionType = "email" }, "distributionType"},
		{"long tax id", client, func(n *NewCustomer) { n.TaxIdentificationNumber = strings.Repeat("1", 21) }, "taxIdentificationNumber"},
		{"EDI without buyer", client, func(n *NewCustomer) { n.EDI = &EDIInput{VAN: "X"} }, "eDIAddressInfo.BuyerId"},
		{"EDI too long", client, func(n *NewCustomer) {
			n.EDI = &EDIInput{VAN: strings.Repeat("v", 256), InterchangeRecipient: strings.Repeat("1", 14), BuyerID: strings.Repeat("1", 14)}
		}, "eDIAddressInfo.BuyerId eDIAddressInfo.InterChangeRecipient eDIAddressInfo.VAN"},
		{"no legal address", client, func(n *NewCustomer) { n.LegalAddress = nil }, "legalAddress"},
		{"empty legal address", client, func(n *NewCustomer) { n.LegalAddress = &AddressInput{} },
			"legalAddress.addressee legalAddress.city legalAddress.countryCode legalAddress.zipCode"},
		{"Norwegian zip in Sweden", client, func(n *NewCustomer) { n.LegalAddress.ZipCode = "0150" }, "legalAddress.zipCode"},
		{"bad billing address", client, func(n *NewCustomer) {
			n.BillingAddress = &AddressInput{Addressee: "A", City: strings.Repeat("c", 28), ZipCode: "1234", CountryCode: "DK", CoAddress: strings.Repeat("c", 73)}
		}, "billingAddress.city billingAddress.coAddress"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := valid()
			tt.change(in)
			_, err := in.Validate(tt.ledger, now)
			if got := fields(err); got != tt.fields {
				t.Fatalf("problems: got %q, want %q (%v)", got, tt.fields, err)
			}
			if tt.fields != "" && ErrorCode(err) != EVALIDATION {
				t.Fatalf("code: got %q", ErrorCode(err))
			}
		})
	}
}

func TestPatchApply(t *testing.T) {
	l := &Ledger{No: "L", Country: "SE", CustomerNumbers: NumbersClient}
	base, err := valid().Validate(l, now)
	if err != nil {
		t.Fatal(err)
	}
	base.Email, base.MSISDN = "a@example.se", "+46701234567"
	base.EDI = &EDI{VAN: "V", InterchangeRecipient: "R", BuyerID: "B"}

	c := base.Clone()
	p := &Patch{Email: Set("b@example.se"), MSISDN: Null[string](), ProtectedIdentity: Set(true), LegalStatus: Set(StatusDeceased),
		EDI: Set(EDIPatch{VAN: Null[string](), BuyerID: Set("B2")})}
	if err := p.Apply(c); err != nil {
		t.Fatal(err)
	}
	if c.Email != "b@example.se" || c.MSISDN != "" || !c.ProtectedIdentity || c.LegalStatus != StatusDeceased ||
		*c.EDI != (EDI{InterchangeRecipient: "R", BuyerID: "B2"}) {
		t.Fatalf("patched: %+v %+v", c, c.EDI)
	}
	if base.EDI.VAN != "V" {
		t.Fatal("Apply changed the EDI of the customer it was cloned from")
	}
	// An empty patch changes nothing.
	c = base.Clone()
	if err := (&Patch{}).Apply(c); err != nil || !reflect.DeepEqual(c, base) {
		t.Fatalf("empty patch: %v", err)
	}
	for _, tt := range []struct {
		p      Patch
		fields string
	}{
		{Patch{LegalStatus: Null[string]()}, "legalStatus"},
		{Patch{LegalStatus: Set("alive")}, "legalStatus"},
		{Patch{Email: Set("x")}, "emailAddress"},
		{Patch{EDI: Set(EDIPatch{BuyerID: Null[string]()})}, "eDIAddressInfo.BuyerId"},
		{Patch{MSISDN: Set("+4687654321"), PreferredLanguage: Set("xx")}, "msisdn preferredLanguageCode"},
	} {
		if got := fields(tt.p.Apply(base.Clone())); got != tt.fields {
			t.Errorf("%+v: got %q, want %q", tt.p, got, tt.fields)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	for _, ok := range []string{"britt@axelstopp.com", "a.b+c@sub.example.se", "åsa@exempel.se"} {
		if msg := CheckEmail(ok); msg != "" {
			t.Errorf("%q: %s", ok, msg)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "@b.se", "a@@b.se", "a b@c.se", "a@b..se", "a@-b.se", "a@.se",
		strings.Repeat("a", 65) + "@b.se", "a@" + strings.Repeat("b", 250) + ".se", "a@b.se\n"} {
		if CheckEmail(bad) == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzCheckEmail(f *testing.F) {
	for _, s := range []string{"britt@axelstopp.com", "a@b", "x@y.z", "@", "a@b.c.d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckEmail(s) != "" {
			return
		}
		// Whatever is accepted matches the seed's rule [^@]+@[^.]+\..+
		at := strings.IndexByte(s, '@')
		dot := strings.IndexByte(s[at+1:], '.')
		if at <= 0 || dot <= 0 || at+1+dot == len(s)-1 || len(s) > 254*4 {
			t.Fatalf("%q accepted", s)
		}
	})
}

func TestGeneratedCustomerNo(t *testing.T) {
	for n, want := range map[int64]string{1: "1000000", 2: "1000001", 9_000_000: "9999999", 9_000_001: "10000000"} {
		if got := GeneratedCustomerNo(n); got != want || CheckCustomerNo(got) != "" {
			t.Errorf("%d: got %q, want %q", n, got, want)
		}
	}
}

func TestCallerCan(t *testing.T) {
	for _, tt := range []struct {
		have []Scope
		need Scope
		ok   bool
	}{
		{[]Scope{ScopeAll}, ScopeRegister, true},
		{[]Scope{ScopeWrite}, ScopeRead, true},
		{[]Scope{ScopeRead}, ScopeWrite, false},
		{[]Scope{ScopeKYC}, ScopeRead, false},
		{nil, ScopeRead, false},
	} {
		if got := (Caller{Scopes: tt.have}).Can(tt.need); got != tt.ok {
			t.Errorf("%v can %s: got %v", tt.have, tt.need, got)
		}
	}
}

// invisibles are runes that CheckText refuses, one or more of each kind
// the attack review named.
var invisibles = []struct {
	name string
	r    rune
}{
	{"right-to-left override", '\u202E'},
	{"left-to-right embedding", '\u202A'},
	{"pop directional formatting", '\u202C'},
	{"right-to-left isolate", '\u2067'},
	{"pop directional isolate", '\u2069'},
	{"right-to-left mark", '\u200F'},
	{"arabic letter mark", '\u061C'},
	{"zero-width space", '\u200B'},
	{"zero-width non-joiner", '\u200C'},
	{"zero-width joiner", '\u200D'},
	{"word joiner", '\u2060'},
	{"byte order mark", '\uFEFF'},
	{"soft hyphen", '\u00AD'},
	{"mongolian vowel separator", '\u180E'},
	{"line separator", '\u2028'},
	{"paragraph separator", '\u2029'},
	{"tag block start (unassigned)", '\U000E0000'},
	{"language tag", '\U000E0001'},
	{"tag latin small letter a", '\U000E0061'},
	{"cancel tag", '\U000E007F'},
	{"NUL", '\u0000'},
	{"bell", '\u0007'},
	{"escape", '\u001B'},
	{"delete", '\u007F'},
	{"next line", '\u0085'},
	{"control sequence introducer", '\u009B'},
}

func TestCheckText(t *testing.T) {
	for _, c := range invisibles {
		s := "Britt" + string(c.r) + "Marie"
		msg := CheckText(s)
		if want := fmt.Sprintf("(%U)", c.r); !strings.Contains(msg, "invisible or control characters") || !strings.Contains(msg, want) {
			t.Errorf("%s %U: got %q, want a message naming %s", c.name, c.r, msg, want)
		}
	}
	for _, ok := range []string{
		"Britt-Marie Axelstopp", "Åsa Öberg-Ängström", "Bjørn Ærø", "Jürgen Müller", "René Éloïse", "O'Brien",
		"D’Angelo", "Karl–Erik Þórsson", "Saara Mäkelä", "Máret Ánte Čoalbmi", "Sjøhusbakken 42",
		"c/o Jansson, lgh 1102", "Nørrebrogade 1, 2. th.", "Storgatan\u00a01 A", "ÅÄÖ åäö ÆØ æø Ü ü É é",
	} {
		if msg := CheckText(ok); msg != "" {
			t.Errorf("%q: %s", ok, msg)
		}
	}
	if msg := CheckText("a\xffb"); msg != "must be valid UTF-8" {
		t.Errorf("invalid UTF-8: got %q", msg)
	}
}

func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"Britt-Marie", "Åsa\u202Eöl", "a\u200bb", "\ufeff", "x\U000E0041", "\xff", "a\u2028b", "O'Brien"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		msg := CheckText(s)
		if !utf8.ValidString(s) {
			if msg == "" {
				t.Fatalf("%q: invalid UTF-8 accepted", s)
			}
			return
		}
		var first rune = -1
		for _, r := range s {
			if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) || 0xE0000 <= r && r <= 0xE007F {
				first = r
				break
			}
		}
		switch {
		case first < 0 && msg != "":
			t.Fatalf("%q refused: %s", s, msg)
		case first >= 0 && !strings.HasSuffix(msg, fmt.Sprintf("(%U)", first)):
			t.Fatalf("%q: got %q, want the first invisible rune %U named", s, msg, first)
		}
	})
}

// TestInvisibleCharactersInEveryField: each text property of a create and
// of a PATCH refuses an invisible rune with a problem naming the property
// and the rune.
func TestInvisibleCharactersInEveryField(t *testing.T) {
	l := &Ledger{No: "L", Country: "SE", CustomerNumbers: NumbersClient}
	const bad = "Britt\u202EMarie"
	check := func(t *testing.T, err error, field string) {
		t.Helper()
		probs := ErrorProblems(err)
		if ErrorCode(err) != EVALIDATION || len(probs) != 1 || probs[0].Field != field || !strings.Contains(probs[0].Message, "(U+202E)") {
			t.Fatalf("got %v %v, want one problem of %s naming U+202E", err, probs, field)
		}
	}
	for field, change := range map[string]func(*NewCustomer){
		"name":                       func(n *NewCustomer) { n.Name = bad },
		"emailAddress":               func(n *NewCustomer) { n.Email = "britt\u202E@axelstopp.se" },
		"taxIdentificationNumber":    func(n *NewCustomer) { n.TaxIdentificationNumber = "12\u202E34" },
		"legalAddress.addressee":     func(n *NewCustomer) { n.LegalAddress.Addressee = bad },
		"legalAddress.streetAddress": func(n *NewCustomer) { n.LegalAddress.StreetAddress = "Storgatan\u202E 1" },
		"legalAddress.coAddress":     func(n *NewCustomer) { n.LegalAddress.CoAddress = "c/o \u202EJansson" },
		"legalAddress.city":          func(n *NewCustomer) { n.LegalAddress.City = "STOCK\u202EHOLM" },
		"billingAddress.addressee": func(n *NewCustomer) {
			n.BillingAddress = &AddressInput{Addressee: bad, City: "C", ZipCode: "11122", CountryCode: "SE"}
		},
		"billingAddress.city": func(n *NewCustomer) {
			n.BillingAddress = &AddressInput{Addressee: "A", City: "C\u202E", ZipCode: "11122", CountryCode: "SE"}
		},
		"eDIAddressInfo.VAN": func(n *NewCustomer) { n.EDI = &EDIInput{VAN: "V\u202EAN", BuyerID: "B"} },
		"eDIAddressInfo.InterChangeRecipient": func(n *NewCustomer) {
			n.EDI = &EDIInput{InterchangeRecipient: "R\u202E", BuyerID: "B"}
		},
		"eDIAddressInfo.BuyerId": func(n *NewCustomer) { n.EDI = &EDIInput{BuyerID: "\u202EB"} },
	} {
		t.Run("create "+field, func(t *testing.T) {
			in := valid()
			change(in)
			_, err := in.Validate(l, now)
			check(t, err, field)
		})
	}
	base, err := valid().Validate(l, now)
	if err != nil {
		t.Fatal(err)
	}
	for field, p := range map[string]*Patch{
		"emailAddress":                        {Email: Set("britt@axel\u202Estopp.se")},
		"taxIdentificationNumber":             {TaxIdentificationNumber: Set("1\u202E2")},
		"eDIAddressInfo.VAN":                  {EDI: Set(EDIPatch{VAN: Set("V\u202E"), BuyerID: Set("B")})},
		"eDIAddressInfo.InterChangeRecipient": {EDI: Set(EDIPatch{InterchangeRecipient: Set("R\u202E"), BuyerID: Set("B")})},
		"eDIAddressInfo.BuyerId":              {EDI: Set(EDIPatch{BuyerID: Set("B\u202E")})},
	} {
		t.Run("patch "+field, func(t *testing.T) { check(t, p.Apply(base.Clone()), field) })
	}
	t.Run("address", func(t *testing.T) {
		_, err := (&AddressInput{Addressee: "A", StreetAddress: bad, City: "C", ZipCode: "11122", CountryCode: "SE"}).Validate()
		check(t, err, "streetAddress")
	})
	t.Run("SUS payee's address", func(t *testing.T) {
		in := &DisbursementInput{SUS: &struct {
			NationalID *NationalIDInput
			Address    *AddressInput
		}{&NationalIDInput{RegNo: "19121212-1212", CountryCode: "SE"}, &AddressInput{Addressee: bad, City: "C", ZipCode: "11122", CountryCode: "SE"}}}
		_, err := in.Validate(now)
		check(t, err, "swedishSus.address.addressee")
	})
	t.Run("surplus links", func(t *testing.T) {
		_, err := (&SurplusInput{Balance: "10", Currency: "SEK", Date: "2026-01-01", Invoice: "/invoices/\u202E1"}).Validate()
		check(t, err, "invoice")
		_, err = (&SurplusInput{Balance: "10", Currency: "SEK", Date: "2026-01-01", Account: "/accounts/1\u200b"}).Validate()
		if probs := ErrorProblems(err); len(probs) != 1 || probs[0].Field != "account" || !strings.Contains(probs[0].Message, "(U+200B)") {
			t.Fatalf("account: %v", probs)
		}
	})
	t.Run("card registration URLs", func(t *testing.T) {
		svc := NewService(nil, func() time.Time { return now })
		_, err := svc.StartCardRegistration(t.Context(), "L", "1",
			&CardRegistrationInput{CompleteURL: "https://shop.example/\u202Egpj.exe", CancelURL: "https://shop.example/cancel", Language: "sv-SE"}, "http://kund")
		check(t, err, "completeUrl")
	})
}
