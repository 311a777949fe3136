package nordic

import (
	"errors"
	"testing"
)

func TestParseBIC(t *testing.T) {
	valid := []struct{ in, want string }{
		{"SWEDSESS", "SWEDSESS"}, // Swedbank
		{"NDEASESSXXX", "NDEASESSXXX"},
		{"DNBANOKK", "DNBANOKK"},
		{"ESSESESS", "ESSESESS"},
		{"HANDSESS", "HANDSESS"},
		{"SPRONO22", "SPRONO22"}, // re:member's Norwegian account
		{"DABADKKK", "DABADKKK"},
		{"NDEAFIHH", "NDEAFIHH"},
		{"DEUTDEFF500", "DEUTDEFF500"},
		{"swed se ss", "SWEDSESS"},
		{"RBKOXKPR", "RBKOXKPR"}, // Kosovo: XK is SWIFT's code
		{"ABCDSE2A", "ABCDSE2A"},
	}
	for _, tc := range valid {
		got, err := ParseBIC(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseBIC(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}

	invalid := []struct {
		in   string
		want error
	}{
		{"", errBICEmpty},
		{"  ", errBICEmpty},
		{"SWEDSES", errBICLength},
		{"SWEDSESS1", errBICLength},
		{"NDEASESSXXXX", errBICLength},
		{"SWEDSESS-XXX", errBICChars},
		{"SWÉDSESS", errBICChars},
		{"SWE1SESS", errBICBank},
		{"SWEDQQSS", errBICCountry},
		{"SWEDXXSS", errBICCountry},
		{"SWEDUKSS", errBICCountry}, // the United Kingdom is GB
		{"SWED1ESS", errBICCountry},
	}
	for _, tc := range invalid {
		got, err := ParseBIC(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("ParseBIC(%q) = %q, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestBICCountries(t *testing.T) {
	for _, cc := range []string{"SE", "NO", "DK", "FI", "GB", "XK"} {
		if !bicCountry(cc) {
			t.Errorf("%s refused", cc)
		}
	}
	for _, cc := range []string{"UK", "EU", "QQ", "se", "S"} {
		if bicCountry(cc) {
			t.Errorf("%s accepted", cc)
		}
	}
}

func FuzzParseBIC(f *testing.F) {
	for _, s := range []string{"SWEDSESS", "NDEASESSXXX", "DNBANOKK", "swed se ss", "SWEDQQSS", "SWE1SESS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseBIC(s)
		if err != nil {
			acctCheckFuzzError(t, s, err)
			return
		}
		if len(got) != 8 && len(got) != 11 {
			t.Fatalf("canonical %q has %d characters", got, len(got))
		}
		if back, err := ParseBIC(got); err != nil || back != got {
			t.Fatalf("canonical %q parses to %q, %v", got, back, err)
		}
	})
}
