package nordic

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// ibanTestValid holds published IBANs in print form. The examples without a comment are the
// country examples of SWIFT's IBAN Registry.
var ibanTestValid = []string{
	"SE45 5000 0000 0583 9825 7466",
	"NO93 8601 1117 947",
	"DK50 0040 0440 1162 43",
	"FI21 1234 5600 0007 85",
	"FO62 6460 0001 6316 34",
	"GL89 6471 0001 0002 06",
	"IS14 0159 2600 7654 5510 7303 39",
	"EE38 2200 2210 2014 5685",
	"DE89 3704 0044 0532 0130 00",
	"GB29 NWBK 6016 1331 9268 19",
	"FR14 2004 1010 0505 0001 3M02 606",
	"NL91 ABNA 0417 1643 00",
	"BE68 5390 0754 7034",
	"CH93 0076 2011 6238 5295 7",
	"AT61 1904 3002 3457 3201",
	"ES91 2100 0418 4502 0005 1332",
	"IT60 X054 2811 1010 0000 0123 456",
	"PL61 1090 1014 0000 0712 1981 2874",
	"LT12 1000 0111 0100 1000",
	"LV80 BANK 0000 4351 9500 1",
	"AL47 2121 1009 0000 0002 3569 8741",
	"KW81 CBKU 0000 0000 0000 1234 5601 01",
	"MT84 MALT 0110 0001 2345 MTLC AST0 01S",
	// Swedish IBANs of the accounts in acctTestValid: Bankinfrastruktur's examples of methods
	// 1, 2 and 3 and the examples BankData collected from the banks' own pages.
	"SE41 1200 0000 0127 4023 5305",
	"SE58 6000 0000 0005 1718 2351",
	"SE55 8000 0832 7901 4725 8925",
	"SE78 1200 0000 0129 4014 5237",
	"SE95 3000 0000 0010 1010 1010",
	"SE81 3000 0000 0347 3170 1473",
	"SE35 5000 0000 0549 1000 0003",
	"SE83 5000 0000 0514 0001 0004",
	"SE72 8000 0810 3400 0978 3242",
	"SE53 9020 0000 0902 2111 4884",
	"SE69 9040 0000 0904 0110 6944",
	"SE18 9190 0000 0919 0654 3218",
	"SE37 9570 0000 0052 5004 1760",
	// re:member's Norwegian payment account 3207 40 68323.
	"NO39 3207 4068 323",
}

func TestParseIBAN(t *testing.T) {
	for _, in := range ibanTestValid {
		want := strings.ReplaceAll(in, " ", "")
		got, err := ParseIBAN(in)
		if err != nil || got != want {
			t.Errorf("ParseIBAN(%q) = %q, %v, want %q", in, got, err, want)
		}
		if got, err := ParseIBAN(strings.ToLower(want)); err != nil || got != want {
			t.Errorf("ParseIBAN(lower-case %q) = %q, %v", want, got, err)
		}
	}
}

// ibanTestWithCheck builds an IBAN with correct ISO 7064 check digits using math/big, as an
// oracle independent of ibanMod97.
func ibanTestWithCheck(country, bban string) string {
	var digits strings.Builder
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			digits.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		} else {
			digits.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(digits.String(), 10)
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return country + string(rune('0'+check/10)) + string(rune('0'+check%10)) + bban
}

func TestParseIBANInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", errIBANEmpty},
		{"   ", errIBANEmpty},
		{"SE45-5000-0000-0583-9825-7466", errIBANChars},
		{"SE45 5000 0000 0583 9825 746Ö", errIBANChars},
		{"S", errIBANCountry},
		{"XX45 5000 0000 0583 9825 7466", errIBANCountry},
		{"US45 5000 0000 0583 9825 7466", errIBANCountry},
		{"1E45 5000 0000 0583 9825 7466", errIBANCountry},
		{"SE45 5000 0000 0583 9825 746", errIBANLength},
		{"SE45 5000 0000 0583 9825 7466 0", errIBANLength},
		{"NO93 8601 1117 9470", errIBANLength},
		{strings.Repeat("SE45", 10), errIBANLength},
		// Wrong mod 97: one digit changed, two digits swapped, check digits changed.
		{"SE45 5000 0000 0583 9825 7467", errIBANCheck},
		{"SE45 5000 0000 0583 9825 4766", errIBANCheck},
		{"SE46 5000 0000 0583 9825 7466", errIBANCheck},
		{"DE89 3704 0044 0532 0130 01", errIBANCheck},
		{"GB29 NWBK 6016 1331 9268 18", errIBANCheck},
		{"SEAB 5000 0000 0583 9825 7466", errIBANCheck},
		// Letters where the registry has digits and the other way round.
		{"DE89 3704 0044 0532 0130 0A", errIBANFormat},
		{"GB29 NWB1 6016 1331 9268 19", errIBANFormat},
		// Swedbank's IBAN calculator page shows SE28 8000 0832 7900 0001 2345 as an
		// illustration: its check digits are wrong (98 would be right), and with them
		// corrected the account number 0000012345 still fails its mod 10 check.
		{"SE28 8000 0832 7900 0001 2345", errIBANCheck},
		{"SE98 8000 0832 7900 0001 2345", errIBANNational},
		// Correct mod 97 around a wrong national check digit.
		{ibanTestWithCheck("SE", "50000000058398257467"), errIBANNational}, // SEB, comment 1
		{ibanTestWithCheck("SE", "60000000000517182352"), errIBANNational}, // Handelsbanken
		{ibanTestWithCheck("SE", "80000832790147258926"), errIBANNational}, // Swedbank 8000 series
		{ibanTestWithCheck("SE", "80000832700147258925"), errIBANNational}, // fifth clearing digit
		{ibanTestWithCheck("SE", "30000000001010101011"), errIBANNational}, // personkonto
		{ibanTestWithCheck("SE", "50000000012740235305"), errIBANNational}, // Danske clearing under SEB's ID
		{ibanTestWithCheck("SE", "50010000058398257466"), errIBANNational}, // padding not zero
		{ibanTestWithCheck("SE", "11100000058398257466"), errIBANBank},
		{ibanTestWithCheck("NO", "86011117948"), errIBANNational},
		{ibanTestWithCheck("NO", "00000000000"), errIBANNational},
		{ibanTestWithCheck("FI", "12345600000786"), errIBANNational},
	}
	for _, tc := range tests {
		got, err := ParseIBAN(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("ParseIBAN(%q) = %q, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseIBANNoNationalCheckForDenmark(t *testing.T) {
	// Any Danish BBAN of the right shape passes once mod 97 holds.
	for _, bban := range []string{"00400440116244", "00400440116240", "99999999999999"} {
		in := ibanTestWithCheck("DK", bban)
		if got, err := ParseIBAN(in); err != nil || got != in {
			t.Errorf("ParseIBAN(%q) = %q, %v", in, got, err)
		}
	}
}

func TestParseIBANCheckDigitRange(t *testing.T) {
	// Find a Danish IBAN whose check digits are 02: 99 leaves the same mod 97 remainder, so
	// only the range rule of ISO 13616 refuses it.
	for n := 0; n < 1000; n++ {
		bban := "0040044011" + big.NewInt(int64(1000 + n)).String()[1:] + "0"
		in := ibanTestWithCheck("DK", bban)
		if in[2:4] != "02" {
			continue
		}
		if _, err := ParseIBAN(in); err != nil {
			t.Fatalf("ParseIBAN(%q): %v", in, err)
		}
		bad := "DK99" + in[4:]
		if ibanMod97(bad) != 1 {
			t.Fatalf("ibanMod97(%q) != 1", bad)
		}
		if _, err := ParseIBAN(bad); !errors.Is(err, errIBANCheck) {
			t.Fatalf("ParseIBAN(%q) = %v, want %v", bad, err, errIBANCheck)
		}
		return
	}
	t.Fatal("no Danish IBAN with check digits 02 found")
}

func TestIBANRegistry(t *testing.T) {
	lengths := map[string]int{
		"SE": 24, "NO": 15, "DK": 18, "FI": 18, "FO": 18, "GL": 18, "IS": 26, "EE": 20,
		"DE": 22, "GB": 22, "FR": 27, "NL": 18, "BE": 16, "CH": 21, "AT": 20, "ES": 24,
		"IT": 27, "PL": 28, "LT": 20, "LV": 21, "MT": 31, "LC": 32, "RU": 33, "YE": 30,
		"BI": 27, "EG": 29, "SO": 23,
	}
	for cc, want := range lengths {
		spec := &ibanSpecs[ibanIndex(cc[0], cc[1])]
		if spec.length != want {
			t.Errorf("IBAN length of %s = %d, want %d", cc, spec.length, want)
		}
	}
	for cc, format := range ibanBBANFormats {
		spec := &ibanSpecs[ibanIndex(cc[0], cc[1])]
		if spec.length < 15 || spec.length > ibanMaxLen {
			t.Errorf("IBAN length of %s (%s) = %d", cc, format, spec.length)
		}
		if !bicCountry(cc) {
			t.Errorf("IBAN country %s is not an ISO 3166 code", cc)
		}
	}
	if n := len(ibanBBANFormats); n != 89 {
		t.Errorf("registry has %d countries, want 89", n)
	}
	for _, bad := range []string{"", "4!x", "!n", "4n", "4!", "0!n"} {
		if _, _, ok := ibanCompile(bad); ok {
			t.Errorf("ibanCompile(%q) accepted", bad)
		}
	}
}

// TestSwedishAccountsInIBANs writes random valid accounts of every clearing range into
// IBANs the way Bankinfrastruktur's methods say, and expects ParseIBAN to accept them and to
// refuse them once the account's check digit is broken.
func TestSwedishAccountsInIBANs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range acctRanges {
		r := &acctRanges[i]
		_, maxLen, _ := r.numberLen()
		for n := 0; n < 20; n++ {
			clearing := fmt.Sprint(int(r.from) + rng.IntN(int(r.to-r.from)+1))
			var b strings.Builder
			for range maxLen - 1 {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
			var a SwedishAccount
			var err error
			for d := '0'; d <= '9'; d++ {
				if a, err = ParseSwedishAccount(clearing, b.String()+string(d)); err == nil {
					break
				}
			}
			if err != nil {
				continue // a mod 11 remainder that no check digit satisfies
			}
			if back, err := ParseSwedishAccountNo(a.String()); err != nil || back != a {
				t.Errorf("ParseSwedishAccountNo(%q) = %+v, %v, want %+v", a.String(), back, err, a)
			}
			var acct string
			switch r.ibanMethod {
			case acctIBANNone:
				continue
			case acctIBANWithClearing, acctIBANWithClearing5:
				acct = a.Clearing + a.Number
			case acctIBANWithoutClearing:
				acct = a.Number
			}
			bban := fmt.Sprintf("%03d", r.ibanID) + strings.Repeat("0", 17-len(acct)) + acct
			in := ibanTestWithCheck("SE", bban)
			if _, err := ParseIBAN(in); err != nil {
				t.Errorf("ParseIBAN(%q) of %+v: %v", in, a, err)
			}
			broken := bban[:19] + string('0'+(bban[19]-'0'+1)%10)
			if _, err := ParseIBAN(ibanTestWithCheck("SE", broken)); !errors.Is(err, errIBANNational) {
				t.Errorf("ParseIBAN of %s with a broken check digit: %v", broken, err)
			}
		}
	}
}

func BenchmarkParseIBAN(b *testing.B) {
	ibans := []string{"SE45 5000 0000 0583 9825 7466", "NO93 8601 1117 947", "GB29NWBK60161331926819"}
	for b.Loop() {
		for _, s := range ibans {
			if _, err := ParseIBAN(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func FuzzParseIBAN(f *testing.F) {
	for _, s := range ibanTestValid {
		f.Add(s)
	}
	f.Add("SE28 8000 0832 7900 0001 2345")
	f.Add("XX00")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseIBAN(s)
		if err != nil {
			acctCheckFuzzError(t, s, err)
			return
		}
		if strings.ContainsAny(got, " abcdefghijklmnopqrstuvwxyz") {
			t.Fatalf("canonical %q is not in electronic form", got)
		}
		if back, err := ParseIBAN(got); err != nil || back != got {
			t.Fatalf("canonical %q parses to %q, %v", got, back, err)
		}
	})
}
