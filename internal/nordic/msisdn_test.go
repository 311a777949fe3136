package nordic

import "testing"

func TestParseMSISDN(t *testing.T) {
	cases := []idCase{
		{"+46701234567", "+46701234567", ""},
		{" +46 70-123 45 67 ", "+46701234567", ""},
		{"+46 070 123 45 67", "+46701234567", ""}, // the national prefix is dropped
		{"+4791234567", "+4791234567", ""},
		{"+4520123456", "+4520123456", ""}, // fixed-or-mobile
		{"+358401234567", "+358401234567", ""},
		{"+447911123456", "+447911123456", ""},

		{"", "", "must not be empty"},
		{"46701234567", "", "must start with + and the country code"},
		{"0046701234567", "", "must start with + and the country code"},
		{"+46 70 ABC", "", "must contain only digits after the +"},
		{"+1 800 FLOWERS", "", "must contain only digits after the +"},
		{"++46701234567", "", "must contain only digits after the +"},
		{"+46(70)1234567", "", "must contain only digits after the +"},
		{"+467", "", "must be at least 5 characters"},
		{"+", "", "must be at least 5 characters"},
		{"+1234567890123456", "", "must be at most 15 characters"},
		{"+46 70 123 45 67 89 01 23 45 67 89 01 23 45 67", "", "must be at most 15 characters"},
		{"+91485918841", "", "not a valid phone number"}, // the seed's example
		{"+00000", "", "not a valid phone number"},
		{"+4687654321", "", "not a mobile phone number"}, // Stockholm fixed line
	}
	idRun(t, "ParseMSISDN", cases, ParseMSISDN)
}

func TestMSISDNParts(t *testing.T) {
	cases := []struct{ in, code, national, err string }{
		{"+4791234567", "+47", "91234567", ""},
		{"+46701234567", "+46", "701234567", ""},
		{"+358401234567", "+358", "401234567", ""},
		{"+4687654321", "+46", "87654321", ""},
		{"4791234567", "", "", "must be in E.164 form"},
		{"+47 91234567", "", "", "must be in E.164 form"},
		{"+460701234567", "", "", "must be in E.164 form"},
		{"+91485918841", "", "", "not a valid phone number"},
		{"", "", "", "must be in E.164 form"},
	}
	for _, c := range cases {
		code, national, err := MSISDNParts(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("MSISDNParts(%q) = %q, %q, %v; want error %q", c.in, code, national, err, c.err)
			}
			continue
		}
		if err != nil || code != c.code || national != c.national {
			t.Errorf("MSISDNParts(%q) = %q, %q, %v; want %q, %q", c.in, code, national, err, c.code, c.national)
		}
	}
}

// BenchmarkParseMSISDN covers a mobile of each Nordic country and a number of another.
func BenchmarkParseMSISDN(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"SE", "+46701234567"},
		{"NO", "+4791234567"},
		{"DK", "+4520123456"},
		{"FI", "+358401234567"},
		{"GB", "+447911123456"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseMSISDN(c.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
