package nordic

import "testing"

func TestCurrency(t *testing.T) {
	tests := []struct {
		code  string
		minor int
		ok    bool
	}{
		{"SEK", 2, true}, {"NOK", 2, true}, {"DKK", 2, true}, {"EUR", 2, true},
		{"ISK", 0, true}, {"JPY", 0, true}, {"KRW", 0, true}, {"XOF", 0, true},
		{"KWD", 3, true}, {"BHD", 3, true}, {"TND", 3, true},
		{"CLF", 4, true}, {"UYW", 4, true},
		{"XCG", 2, true}, {"ZWG", 2, true}, {"SLE", 2, true}, {"VED", 2, true},
		{"sek", 2, true}, {"Jpy", 0, true},
		// No minor unit, withdrawn, or no code at all.
		{"XAU", 0, false}, {"XDR", 0, false}, {"XXX", 0, false}, {"XTS", 0, false},
		{"ANG", 0, false}, {"HRK", 0, false}, {"CUC", 0, false}, {"SLL", 0, false},
		{"ZWL", 0, false}, {"BGN", 0, false}, {"FIM", 0, false},
		{"", 0, false}, {"SE", 0, false}, {"SEKK", 0, false}, {"S€K", 0, false},
	}
	for _, tc := range tests {
		minor, ok := Currency(tc.code)
		if minor != tc.minor || ok != tc.ok {
			t.Errorf("Currency(%q) = %d, %v, want %d, %v", tc.code, minor, ok, tc.minor, tc.ok)
		}
	}
	for code, minor := range iso4217MinorUnits {
		if len(code) != 3 || minor < 0 || minor > 4 {
			t.Errorf("table entry %q: %d", code, minor)
		}
	}
}
