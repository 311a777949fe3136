package nordic

import "testing"

func TestParsePostalCode(t *testing.T) {
	cases := []struct{ country, in, want, err string }{
		{"SE", "15961", "15961", ""},
		{"SE", " 159 61 ", "15961", ""},
		{"SE", "05961", "", "must be 5 digits, the first not 0"},
		{"SE", "SE-15961", "", "must be 5 digits, the first not 0"},
		{"SE", "1596", "", "must be 5 digits, the first not 0"},
		{"NO", "0150", "0150", ""},
		{"NO", "\t0150\n", "0150", ""},
		{"NO", "015", "", "must be 4 digits"},
		{"DK", "0800", "0800", ""},
		{"DK", "2100", "2100", ""},
		{"DK", "9990", "9990", ""},
		{"DK", "0799", "", "must be 4 digits from 0800 to 9999"},
		{"DK", "DK-2100", "", "must be 4 digits from 0800 to 9999"},
		{"FI", "00100", "00100", ""},
		{"FI", "0010", "", "must be 5 digits"},
		{"GB", "sw1a 1aa", "SW1A1AA", ""},
		{"NL", "1234 AB", "1234AB", ""},
		{"US", "12345-6789", "", "must be 1 to 9 letters, digits or dashes"},
		{"US", "12345-678", "12345-678", ""},
		{"DE", "12_34", "", "must be 1 to 9 letters, digits or dashes"},
		{"DE", "1234ü", "", "must be 1 to 9 letters, digits or dashes"},
		{"SE", "", "", "must not be empty"},
		{"GB", " \u00a0 ", "", "must not be empty"},
	}
	for _, c := range cases {
		got, err := ParsePostalCode(c.country, c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err || got != "" {
				t.Errorf("ParsePostalCode(%s, %q) = %q, %v; want error %q", c.country, c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParsePostalCode(%s, %q) = %q, %v; want %q", c.country, c.in, got, err, c.want)
		}
	}
}
