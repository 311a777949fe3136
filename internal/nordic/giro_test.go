package nordic

import (
	"errors"
	"testing"
)

func TestParseBankgiro(t *testing.T) {
	valid := []struct{ in, want string }{
		// Bankgirot's "10-modul" document: a 7- and an 8-digit bankgiro number.
		{"991-2346", "991-2346"},
		{"9912346", "991-2346"},
		{"5555-5551", "5555-5551"},
		{"5555 5551", "5555-5551"},
		// Bankgirot's own bankgiro number, printed on its documents.
		{"160-9908", "160-9908"},
	}
	for _, tc := range valid {
		got, err := ParseBankgiro(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseBankgiro(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}

	invalid := []struct {
		in   string
		want error
	}{
		{"", errAcctEmpty},
		{"991-2347", errAcctCheckDigit},
		{"5555-5552", errAcctCheckDigit},
		// The PayEx seed's BGSE example has 10 digits, so it is no bankgiro number; its
		// digits do not pass Luhn either (checked below): a placeholder.
		{"944-1049000", errGiroBankgiroLen},
		{"123456", errGiroBankgiroLen},
		{"12345-6789", errGiroBankgiroLen},
		{"099-1234", errGiroLeadingZero},
		{"991/2346", errAcctChars},
	}
	for _, tc := range invalid {
		got, err := ParseBankgiro(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("ParseBankgiro(%q) = %q, %v, want %v", tc.in, got, err, tc.want)
		}
	}
	if luhnValid("9441049000") {
		t.Error("the seed's 944-1049000 is expected to fail Luhn")
	}
}

func TestParsePlusgiro(t *testing.T) {
	// Luhn-valid numbers worked out by hand; PlusGiro numbers are printed in pairs from the
	// right with a dash before the check digit ("90 01 22-3").
	valid := []struct{ in, want string }{
		{"90 01 22-3", "900122-3"},
		{"9001223", "900122-3"},
		{"12-5", "12-5"},
		{"1234567-4", "1234567-4"},
		{"12 34 56 74", "1234567-4"},
	}
	for _, tc := range valid {
		got, err := ParsePlusgiro(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePlusgiro(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}

	invalid := []struct {
		in   string
		want error
	}{
		{"", errAcctEmpty},
		{"5", errGiroPlusgiroLen},
		{"123456789", errGiroPlusgiroLen},
		{"90 01 22-4", errAcctCheckDigit},
		{"09 01 22-3", errGiroLeadingZero},
		{"90 01 22+3", errAcctChars},
	}
	for _, tc := range invalid {
		got, err := ParsePlusgiro(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("ParsePlusgiro(%q) = %q, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseBankgiro(f *testing.F) {
	for _, s := range []string{"991-2346", "5555-5551", "160-9908", "944-1049000", "90 01 22-3", "12-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, err := ParseBankgiro(s); err != nil {
			acctCheckFuzzError(t, s, err)
		} else if back, err := ParseBankgiro(got); err != nil || back != got {
			t.Fatalf("bankgiro canonical %q parses to %q, %v", got, back, err)
		}
		// PlusGiro numbers share the shape, so the same inputs exercise them too.
		if got, err := ParsePlusgiro(s); err != nil {
			acctCheckFuzzError(t, s, err)
		} else if back, err := ParsePlusgiro(got); err != nil || back != got {
			t.Fatalf("plusgiro canonical %q parses to %q, %v", got, back, err)
		}
	})
}
