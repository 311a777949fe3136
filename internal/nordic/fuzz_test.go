package nordic

import (
	"strings"
	"testing"
	"time"
)

var fuzzCountries = []string{"SE", "NO", "DK", "FI", "GB"}

func fuzzCountry(i uint8) string {
	return fuzzCountries[int(i)%len(fuzzCountries)]
}

// fuzzNow spreads "now" over 1990-2069, so that the Swedish century and the Norwegian rules
// of 2032 are exercised on both sides.
func fuzzNow(days uint16) time.Time {
	return time.Date(1990, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, int(days)%(80*365))
}

func fuzzLeak(t *testing.T, err error, input string) {
	t.Helper()
	if err != nil && idLeaks(err.Error(), input) {
		t.Fatalf("error %q shows the input %q", err, input)
	}
}

func FuzzParsePersonalNumber(f *testing.F) {
	for _, s := range []string{"19121212-1212", "121212+1212", "701063-2391", "30108299939",
		"02013299997", "41018512007", "070761-4285", "131052-308T", "010594Y9021", "290200-4234"} {
		for c := range uint8(4) {
			f.Add(c, s, uint16(13000))
			f.Add(c, s, uint16(16000))
		}
	}
	f.Fuzz(func(t *testing.T, ci uint8, s string, days uint16) {
		country, now := fuzzCountry(ci), fuzzNow(days)
		got, err := ParsePersonalNumber(country, s, now)
		fuzzLeak(t, err, s)
		if err != nil {
			return
		}
		again, err := ParsePersonalNumber(country, got, now)
		if err != nil || again != got {
			t.Fatalf("%s %q: canonical %q parses to %q, %v", country, s, got, again, err)
		}
		canon, kind, err := ParseIdentity(country, got, now)
		if err != nil || canon != got || kind != Person {
			t.Fatalf("%s %q: ParseIdentity(%q) = %q, %v, %v", country, s, got, canon, kind, err)
		}
		birth, err := BirthDate(country, got)
		if err != nil {
			if country == "NO" && now.Year() >= noNewRulesFrom {
				return // the century of a number of the 2032 kind is unknown
			}
			t.Fatalf("%s %q: BirthDate(%q): %v", country, s, got, err)
		}
		if country == "NO" && now.Year() >= noNewRulesFrom {
			return // BirthDate takes the classic century, which may now be a guess
		}
		if idAfter(birth.Year(), int(birth.Month()), birth.Day(), now) {
			t.Fatalf("%s %q: birth date %v after now %v", country, s, birth, now)
		}
	})
}

func FuzzParseOrganisationNumber(f *testing.F) {
	for _, s := range []string{"556016-0680", "16556016-0680", "923609016", "13585628",
		"0737546-2", "737546-2", "7375462", "0100007-0"} {
		for c := range uint8(4) {
			f.Add(c, s)
		}
	}
	f.Fuzz(func(t *testing.T, ci uint8, s string) {
		country := fuzzCountry(ci)
		got, err := ParseOrganisationNumber(country, s)
		fuzzLeak(t, err, s)
		if err != nil {
			return
		}
		again, err := ParseOrganisationNumber(country, got)
		if err != nil || again != got {
			t.Fatalf("%s %q: canonical %q parses to %q, %v", country, s, got, again, err)
		}
		canon, kind, err := ParseIdentity(country, got, idTestNow)
		if err != nil || canon != got || kind != Organisation {
			t.Fatalf("%s %q: ParseIdentity(%q) = %q, %v, %v", country, s, got, canon, kind, err)
		}
	})
}

func FuzzParseVAT(f *testing.F) {
	for _, s := range []string{"SE556016068001", "SE101010101001", "NO923609016", "NO923609016MVA",
		"DK13585628", "FI20774740", "DE136695976", "IE1234567TW", "XIGD001", "CHE-123.456.789 MWST"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseVAT(s)
		fuzzLeak(t, err, s)
		if err != nil {
			return
		}
		if len(got) < 7 || len(got) > 17 || strings.Trim(got, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			t.Fatalf("%q: result %q out of shape", s, got)
		}
		again, err := ParseVAT(got)
		if err != nil || again != got {
			t.Fatalf("%q: canonical %q parses to %q, %v", s, got, again, err)
		}
	})
}

func FuzzParseMSISDN(f *testing.F) {
	for _, s := range []string{"+46701234567", "+46 070-123 45 67", "+4791234567", "+4520123456",
		"+358401234567", "+91485918841", "+4687654321", "+1 800 FLOWERS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseMSISDN(s)
		fuzzLeak(t, err, s)
		if err != nil {
			return
		}
		if len(got) < 5 || len(got) > 15 || got[0] != '+' || !idDigits(got[1:]) {
			t.Fatalf("%q: result %q out of shape", s, got)
		}
		again, err := ParseMSISDN(got)
		if err != nil || again != got {
			t.Fatalf("%q: canonical %q parses to %q, %v", s, got, again, err)
		}
		code, national, err := MSISDNParts(got)
		if err != nil || code+national != got {
			t.Fatalf("%q: MSISDNParts(%q) = %q, %q, %v", s, got, code, national, err)
		}
	})
}

// FuzzMSISDNFastPath holds ParseMSISDN, fast path and all, to the library alone.
func FuzzMSISDNFastPath(f *testing.F) {
	for _, s := range []string{
		"+46701234567", "+46 70-123 45 67", "+46 070 123 45 67", "+46 0 0701234567", "+4677012345",
		"+46771234567", "+46741234567", "+46751234567", "+4670123456", "+467012345678",
		"+4687654321", "+46 8 765 43 21", "+46101234567", "+46 0",
		"+4791234567", "+47 412 34 567", "+4741234567", "+4742345678", "+4781234567",
		"+47 01234", "+47 091234567", "+479123456", "+47912345678", "+4779123456",
		"+4520123456", "+45 26 00 00 00", "+4520012345", "+4590123456", "+4580123456",
		"+4596000000", "+45 020123456", "+452012345", "+45201234567",
		"+358401234567", "+358 40 123 4567", "+358 040 123 4567", "+358494612", "+3584946123456",
		"+358 50 123", "+358501234", "+35850123456789", "+358491234567", "+358 18 123456",
		"+3580", "+35 8401234567", "+3 58401234567", "+447911123456", "+1 202 555 0123",
		"-+46701234567", "+46--70 1234567-", "+ 46701234567", "+46701234567 ", "+4670123456x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseMSISDN(s)
		want, wantErr := parseMSISDNSlow(s)
		if got != want || err != wantErr {
			t.Fatalf("ParseMSISDN(%q) = %q, %v; without the fast path %q, %v", s, got, err, want, wantErr)
		}
	})
}

func FuzzParsePostalCode(f *testing.F) {
	for _, s := range []string{"15961", "159 61", "0150", "0800", "00100", "sw1a 1aa", "12345-678"} {
		for c := range uint8(5) {
			f.Add(c, s)
		}
	}
	f.Fuzz(func(t *testing.T, ci uint8, s string) {
		country := fuzzCountry(ci)
		got, err := ParsePostalCode(country, s)
		fuzzLeak(t, err, s)
		if err != nil {
			return
		}
		if got == "" || len(got) > 9 || strings.Trim(got, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			t.Fatalf("%s %q: result %q out of shape", country, s, got)
		}
		again, err := ParsePostalCode(country, got)
		if err != nil || again != got {
			t.Fatalf("%s %q: canonical %q parses to %q, %v", country, s, got, again, err)
		}
	})
}
