package nordic

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		decimal, currency string
		want              Amount
		str               string
	}{
		// The PayEx seed's surplus balances, 10.00 SEK and so on.
		{"10.00", "SEK", Amount{1000, "SEK"}, "10.00"},
		{"10", "SEK", Amount{1000, "SEK"}, "10.00"},
		{"10.5", "SEK", Amount{1050, "SEK"}, "10.50"},
		{"10.50", "SEK", Amount{1050, "SEK"}, "10.50"},
		{"0.05", "SEK", Amount{5, "SEK"}, "0.05"},
		{"0", "SEK", Amount{0, "SEK"}, "0.00"},
		{"-0", "SEK", Amount{0, "SEK"}, "0.00"},
		{"-12.34", "NOK", Amount{-1234, "NOK"}, "-12.34"},
		{"-0.01", "EUR", Amount{-1, "EUR"}, "-0.01"},
		{"1000", "JPY", Amount{1000, "JPY"}, "1000"},
		{"1.234", "KWD", Amount{1234, "KWD"}, "1.234"},
		{"0.001", "KWD", Amount{1, "KWD"}, "0.001"},
		{"0.0001", "CLF", Amount{1, "CLF"}, "0.0001"},
		{"10", "sek", Amount{1000, "SEK"}, "10.00"},
		{"92233720368547758.07", "SEK", Amount{math.MaxInt64, "SEK"}, "92233720368547758.07"},
		{"-92233720368547758.08", "SEK", Amount{math.MinInt64, "SEK"}, "-92233720368547758.08"},
		{"9223372036854775807", "JPY", Amount{math.MaxInt64, "JPY"}, "9223372036854775807"},
	}
	for _, tc := range tests {
		got, err := ParseAmount(tc.decimal, tc.currency)
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q, %q) = %+v, %v, want %+v", tc.decimal, tc.currency, got, err, tc.want)
			continue
		}
		if s := got.String(); s != tc.str {
			t.Errorf("%+v.String() = %q, want %q", got, s, tc.str)
		}
		if back, err := ParseAmount(got.String(), got.Currency); err != nil || back != got {
			t.Errorf("ParseAmount(%q, %q) = %+v, %v, want %+v", got.String(), got.Currency, back, err, got)
		}
	}
}

func TestParseAmountInvalid(t *testing.T) {
	tests := []struct {
		decimal, currency string
		want              error
	}{
		{"10", "XXX", errAmountCurrency},
		{"10", "", errAmountCurrency},
		{"10", "SEKK", errAmountCurrency},
		{"", "SEK", errAmountEmpty},
		{"10.001", "SEK", errAmountDecimals},
		{"10.500", "SEK", errAmountDecimals},
		{"10.5", "JPY", errAmountDecimals},
		{"10.0", "JPY", errAmountDecimals},
		{"1.2345", "KWD", errAmountDecimals},
		{"1e3", "SEK", errAmountExponent},
		{"1E3", "SEK", errAmountExponent},
		{"1.5e-2", "SEK", errAmountExponent},
		{"+10", "SEK", errAmountSyntax},
		{"--10", "SEK", errAmountSyntax},
		{"-", "SEK", errAmountSyntax},
		{"1-0", "SEK", errAmountSyntax},
		{"10.", "SEK", errAmountSyntax},
		{".5", "SEK", errAmountSyntax},
		{"05", "SEK", errAmountSyntax},
		{"00.5", "SEK", errAmountSyntax},
		{" 10", "SEK", errAmountSyntax},
		{"10 ", "SEK", errAmountSyntax},
		{"1,5", "SEK", errAmountSyntax},
		{"1 000", "SEK", errAmountSyntax},
		{"Infinity", "SEK", errAmountSyntax},
		{"NaN", "SEK", errAmountSyntax},
		{"0x10", "SEK", errAmountSyntax},
		{"١٠", "SEK", errAmountSyntax},
		// One minor unit past what an int64 holds, either way, and far beyond.
		{"92233720368547758.08", "SEK", errAmountRange},
		{"-92233720368547758.09", "SEK", errAmountRange},
		{"9223372036854775808", "JPY", errAmountRange},
		{"9223372036854775.808", "KWD", errAmountRange},
		{"100000000000000000", "SEK", errAmountRange},
		{strings.Repeat("9", 400), "SEK", errAmountRange},
	}
	for _, tc := range tests {
		got, err := ParseAmount(tc.decimal, tc.currency)
		if !errors.Is(err, tc.want) {
			t.Errorf("ParseAmount(%q, %q) = %+v, %v, want %v", tc.decimal, tc.currency, got, err, tc.want)
		}
	}
}

func TestAmountString(t *testing.T) {
	tests := []struct {
		a    Amount
		want string
	}{
		{Amount{1000, "SEK"}, "10.00"},
		{Amount{5, "SEK"}, "0.05"},
		{Amount{-5, "SEK"}, "-0.05"},
		{Amount{1000, "JPY"}, "1000"},
		{Amount{-1000, "JPY"}, "-1000"},
		{Amount{7, "KWD"}, "0.007"},
		{Amount{12345, "CLF"}, "1.2345"},
		{Amount{math.MinInt64, "EUR"}, "-92233720368547758.08"},
		{Amount{1000, "sek"}, "10.00"},
		{Amount{1000, ""}, "1000"}, // unknown currency: plain minor units
		{Amount{}, "0"},
	}
	for _, tc := range tests {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.a, got, tc.want)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"10", "10.5", "10.50", "10.001", "1e3", "-0.05", "92233720368547758.08", "05"} {
		f.Add(s, "SEK")
	}
	f.Add("10.5", "JPY")
	f.Add("1.234", "KWD")
	f.Add("0.0001", "CLF")
	f.Fuzz(func(t *testing.T, decimal, currency string) {
		a, err := ParseAmount(decimal, currency)
		if err != nil {
			acctCheckFuzzError(t, decimal, err)
			return
		}
		back, err := ParseAmount(a.String(), a.Currency)
		if err != nil || back != a {
			t.Fatalf("canonical %q %s parses to %+v, %v; want %+v", a.String(), a.Currency, back, err, a)
		}
		// The value must be exactly the decimal's, read by math/big as an oracle.
		r, ok := new(big.Rat).SetString(decimal)
		if !ok {
			t.Fatalf("math/big cannot read accepted %q", decimal)
		}
		minor, _ := Currency(a.Currency)
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(minor)), nil)
		r.Mul(r, new(big.Rat).SetInt(scale))
		if !r.IsInt() || r.Num().Cmp(big.NewInt(a.Minor)) != 0 {
			t.Fatalf("ParseAmount(%q, %q) = %d minor units, math/big says %s", decimal, currency, a.Minor, r.RatString())
		}
	})
}
