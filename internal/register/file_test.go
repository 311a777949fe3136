package register

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/nordic"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestGenerateLoadsBackWithoutRejects(t *testing.T) {
	for _, country := range []string{"SE", "NO", "DK", "FI"} {
		t.Run(country, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Generate(&buf, GenerateOptions{Country: country, Count: 3000, Seed: 7, Now: testNow}); err != nil {
				t.Fatal(err)
			}
			snap, bad, err := Parse(&buf, testNow)
			if err != nil || len(bad) != 0 {
				t.Fatalf("err=%v, %d rejected rows, the first: %v", err, len(bad), bad[:min(1, len(bad))])
			}
			if snap.Len() != 3000 {
				t.Fatalf("loaded %d persons, want 3000", snap.Len())
			}
			var protected, deceased, co, phones int
			for _, p := range snap.byID {
				canon, err := nordic.ParsePersonalNumber(country, p.RegNo, testNow)
				if err != nil || canon != p.RegNo {
					t.Fatalf("identity number of %s %s does not validate: %v", p.FirstName, p.LastName, err)
				}
				if _, err := nordic.ParsePostalCode(country, p.Address.ZipCode); err != nil {
					t.Fatalf("postal code %q: %v", p.Address.ZipCode, err)
				}
				if p.ProtectedIdentity {
					protected++
				}
				if p.Deceased {
					deceased++
				}
				if strings.HasPrefix(p.Address.CoAddress, "c/o ") {
					co++
				}
				if p.Phone != "" {
					phones++
				}
			}
			// Roughly 2%, 2%, 5% and 75%: a broken generator lands far outside.
			if protected < 20 || protected > 120 || deceased < 20 || deceased > 120 || co < 80 || co > 250 || phones < 2000 || phones > 2500 {
				t.Fatalf("protected=%d deceased=%d c/o=%d phones=%d of 3000", protected, deceased, co, phones)
			}
		})
	}
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	var a, b, c bytes.Buffer
	Generate(&a, GenerateOptions{Country: "SE", Count: 50, Seed: 1, Now: testNow})
	Generate(&b, GenerateOptions{Country: "SE", Count: 50, Seed: 1, Now: testNow})
	Generate(&c, GenerateOptions{Country: "SE", Count: 50, Seed: 2, Now: testNow})
	if a.String() != b.String() || a.String() == c.String() {
		t.Fatal("the same seed must give the same register and another seed another")
	}
	if err := Generate(&a, GenerateOptions{Country: "XX", Count: 1}); err == nil {
		t.Fatal("an unknown country must be refused")
	}
}

const head = "country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone\n"

func TestParseRejectsBadRowsWithLineNumbers(t *testing.T) {
	in := head +
		"SE,19121212-1212,Tolvan,Tolvansson,,Storgatan 12,11122,STOCKHOLM,false,false,+46701234567\n" + // 2 ok
		"SE,19121212-1213,Bad,Check,,Storgatan 1,11122,STOCKHOLM,false,false,\n" + // 3 check digit
		"XX,19121212-1212,Bad,Country,,Storgatan 1,11122,STOCKHOLM,false,false,\n" + // 4 country
		"SE,191212121212,Not,Canonical,,Storgatan 1,11122,STOCKHOLM,false,false,\n" + // 5 form
		"SE,19811218-9876,Bad,Zip,,Storgatan 1,01122,STOCKHOLM,false,false,\n" + // 6 zip
		"SE,19811218-9876,Bad,Bool,,Storgatan 1,11122,STOCKHOLM,yes,false,\n" + // 7 bool
		"SE,19811218-9876,Short,Row\n" + // 8 fields
		"SE,19121212-1212,Dup,Licate,,Storgatan 1,11122,STOCKHOLM,false,false,\n" + // 9 duplicate
		"SE,19811218-9876,Bad,Phone,,Storgatan 1,11122,STOCKHOLM,false,false,12345\n" + // 10 phone
		"SE,19811218-9876,,,,Storgatan 1,11122,STOCKHOLM,false,false,\n" + // 11 no name
		"SE,19811218-9876,Britt-Marie,Axelstopp,c/o Jansson,The street 18,159 61,STOCKHOLM,false,false,\n" // 12 ok
	snap, bad, err := Parse(strings.NewReader(in), testNow)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
		if strings.Contains(b.Message, "1212") || strings.Contains(b.Message, "9876") {
			t.Fatalf("a row error quotes the identity number: %v", b)
		}
	}
	want := []int{3, 4, 5, 6, 7, 8, 9, 10, 11}
	if len(lines) != len(want) {
		t.Fatalf("rejected lines %v, want %v (%v)", lines, want, bad)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("rejected lines %v, want %v (%v)", lines, want, bad)
		}
	}
	if snap.Len() != 2 {
		t.Fatalf("loaded %d, want 2", snap.Len())
	}
	p := snap.byID[idKey("SE", "19811218-9876")]
	if p == nil || p.Address.ZipCode != "15961" || p.Address.CoAddress != "c/o Jansson" || p.Name() != "Britt-Marie Axelstopp" {
		t.Fatalf("person = %+v", p)
	}
}

func TestParseRefusesAWrongHeader(t *testing.T) {
	if _, _, err := Parse(strings.NewReader("country,regNo\nSE,x\n"), testNow); err == nil {
		t.Fatal("a wrong header must fail the load")
	}
	if _, _, err := Parse(strings.NewReader(""), testNow); err == nil {
		t.Fatal("an empty file must fail the load")
	}
}

func TestFileReloadsWhenChangedAndKeepsOldDataOnBrokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "persons.csv")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(head + "SE,19121212-1212,Tolvan,Tolvansson,,Storgatan 12,11122,STOCKHOLM,false,false,+46701234567\n")
	var reports []int
	f, err := OpenFile(path, func(n int, bad []RowError, err error) { reports = append(reports, n) })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := f.Lookup(ctx, "SE", "19121212-1212")
	if err != nil || p.Address.StreetAddress != "Storgatan 12" {
		t.Fatalf("lookup = %+v, %v", p, err)
	}
	if p, err := f.LookupPhone(ctx, "+46701234567"); err != nil || p.RegNo != "19121212-1212" {
		t.Fatalf("phone lookup = %+v, %v", p, err)
	}
	if _, err := f.Lookup(ctx, "SE", "19811218-9876"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown person: %v", err)
	}

	// The person moves: the next lookup sees the new file.
	write(head + "SE,19121212-1212,Tolvan,Tolvansson,c/o Berg,Vasagatan 3,41101,GÖTEBORG,false,false,+46701234567\n" +
		"SE,19811218-9876,Britt,Axelstopp,,Gatan 1,11122,STOCKHOLM,false,false,+46701234567\n")
	p, err = f.Lookup(ctx, "SE", "19121212-1212")
	if err != nil || p.Address.StreetAddress != "Vasagatan 3" || p.Address.City != "GÖTEBORG" {
		t.Fatalf("after the change: %+v, %v", p, err)
	}
	if _, err := f.LookupPhone(ctx, "+46701234567"); !errors.Is(err, ErrAmbiguous) {
		t.Fatalf("a shared phone number: %v", err)
	}

	// A file broken as a whole keeps the persons loaded before.
	write("nonsense\n")
	if p, err := f.Lookup(ctx, "SE", "19121212-1212"); err != nil || p.Address.City != "GÖTEBORG" {
		t.Fatalf("after a broken file: %+v, %v", p, err)
	}
	if err := f.Reload(); err == nil {
		t.Fatal("Reload of a broken file must fail")
	}
	if len(reports) < 2 || reports[0] != 1 || reports[1] != 2 {
		t.Fatalf("reports = %v", reports)
	}
}

func TestNoneIsUnavailable(t *testing.T) {
	if _, err := (None{}).Lookup(context.Background(), "SE", "19121212-1212"); !errors.Is(err, ErrUnavailable) {
		t.Fatal(err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		Generate(discard{}, GenerateOptions{Country: "SE", Count: 100_000, Seed: 1, Now: testNow})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestGenerateHundredThousand: the size loads back whole (how fast
// it generates is BenchmarkGenerate's business, not a test's).
func TestGenerateHundredThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	var buf bytes.Buffer
	if err := Generate(&buf, GenerateOptions{Country: "FI", Count: 100_000, Seed: 5, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	snap, bad, err := Parse(&buf, testNow)
	if err != nil || len(bad) != 0 || snap.Len() != 100_000 {
		t.Fatalf("err=%v rejected=%d loaded=%d", err, len(bad), snap.Len())
	}
}

// TestParseRejectsInvisibleCharacters: a name or address line with a bidi
// override, a zero-width or another invisible rune is a bad row, its
// reason naming the field and the code point; Nordic letters load.
func TestParseRejectsInvisibleCharacters(t *testing.T) {
	in := head +
		"SE,19121212-1212,Britt\u202EMarie,Axelstopp,,Storgatan 1,11122,STOCKHOLM,false,false,\n" + // 2
		"SE,19121212-1212,Britt,Axel\u200Bstopp,,Storgatan 1,11122,STOCKHOLM,false,false,\n" + // 3
		"SE,19121212-1212,Britt,Axelstopp,c/o \uFEFFJansson,Storgatan 1,11122,STOCKHOLM,false,false,\n" + // 4
		"SE,19121212-1212,Britt,Axelstopp,,Storgatan\u2028 1,11122,STOCKHOLM,false,false,\n" + // 5
		"SE,19121212-1212,Britt,Axelstopp,,Storgatan 1,11122,STOCK\U000E0041HOLM,false,false,\n" + // 6
		"SE,19811218-9876,Åsa-Märta,Ødegård O'Neill,c/o Jürgensen,Östra Ågatan 5 B,753 22,UPPSALA,false,false,\n" // 7 ok
	snap, bad, err := Parse(strings.NewReader(in), testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []RowError{
		{2, "firstName: must not contain invisible or control characters (U+202E)"},
		{3, "lastName: must not contain invisible or control characters (U+200B)"},
		{4, "coAddress: must not contain invisible or control characters (U+FEFF)"},
		{5, "streetAddress: must not contain invisible or control characters (U+2028)"},
		{6, "city: must not contain invisible or control characters (U+E0041)"},
	}
	if len(bad) != len(want) {
		t.Fatalf("rejected %v, want %v", bad, want)
	}
	for i := range want {
		if bad[i] != want[i] {
			t.Fatalf("rejected %v, want %v", bad, want)
		}
	}
	if snap.Len() != 1 {
		t.Fatalf("loaded %d, want 1", snap.Len())
	}
	if p := snap.byID[idKey("SE", "19811218-9876")]; p == nil || p.Name() != "Åsa-Märta Ødegård O'Neill" || p.Address.City != "UPPSALA" {
		t.Fatalf("person = %+v", p)
	}
}
