package nordic

import (
	"errors"
	"testing"
)

func TestParseNorwegianAccount(t *testing.T) {
	valid := []struct{ in, want string }{
		// SWIFT IBAN Registry, Norway's example NO93 8601 1117 947.
		{"8601 11 17947", "86011117947"},
		{"8601.11.17947", "86011117947"},
		{"86011117947", "86011117947"},
		// re:member's payment account, published with its IBAN NO39 3207 4068 323.
		{"3207 40 68323", "32074068323"},
		// Remainder 0 gives check digit 0 (weighted sum 1*3 + 4*2 = 11).
		{"0000 00 00140", "00000000140"},
	}
	for _, tc := range valid {
		got, err := ParseNorwegianAccount(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseNorwegianAccount(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}

	invalid := []struct {
		in   string
		want error
	}{
		{"", errAcctEmpty},
		{". .", errAcctEmpty},
		{"1234", errAcctNOLen}, // the PayEx seed's placeholder
		{"8601 11 1794", errAcctNOLen},
		{"8601 11 179470", errAcctNOLen},
		{"8601-11-17947", errAcctNOChars},
		{"8601 11 1794x", errAcctNOChars},
		{"8601 11 17948", errAcctCheckDigit},
		{"3207 40 68324", errAcctCheckDigit},
		// Weighted sum 12 leaves remainder 1: the check digit would be 10, so no last
		// digit makes a valid number.
		{"0000 00 00060", errAcctCheckDigit},
		{"0000 00 00069", errAcctCheckDigit},
		{"0000 00 00000", errAcctZero},
	}
	for _, tc := range invalid {
		got, err := ParseNorwegianAccount(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("ParseNorwegianAccount(%q) = %q, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseNorwegianAccount(f *testing.F) {
	for _, s := range []string{"8601 11 17947", "8601.11.17947", "32074068323", "1234", "0000 00 00060"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseNorwegianAccount(s)
		if err != nil {
			acctCheckFuzzError(t, s, err)
			return
		}
		if len(got) != 11 {
			t.Fatalf("canonical %q is not 11 digits", got)
		}
		if back, err := ParseNorwegianAccount(got); err != nil || back != got {
			t.Fatalf("canonical %q parses to %q, %v", got, back, err)
		}
	})
}
