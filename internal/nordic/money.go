package nordic

import (
	"errors"
	"math"
	"strconv"
)

var (
	errAmountEmpty    = errors.New("must not be empty")
	errAmountCurrency = errors.New("currency is not an active ISO 4217 code")
	errAmountSyntax   = errors.New("must be a decimal number such as 10 or 10.50")
	errAmountExponent = errors.New("must be written without an exponent")
	errAmountDecimals = errors.New("has more decimals than the currency has minor units")
	errAmountRange    = errors.New("is too large")
)

// Amount is money in minor units of a currency. Never a float anywhere.
type Amount struct {
	Minor    int64
	Currency string
}

// ParseAmount reads a JSON-number or string decimal like "10", "10.5", "10.50" for a currency;
// more fraction digits than the currency has minor units, exponents, signs other than a leading '-',
// overflow, or an unknown currency are errors.
//
// The number follows JSON's grammar without the exponent: no leading '+', no leading zeros
// ("05"), no bare point ("10.", ".5") and no spaces. The currency may be given in lower case;
// the Amount holds it in upper case.
func ParseAmount(decimal, currency string) (Amount, error) {
	minor, ok := Currency(currency)
	if !ok {
		return Amount{}, errAmountCurrency
	}
	s := decimal
	if s == "" {
		return Amount{}, errAmountEmpty
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	intEnd := 0
	for intEnd < len(s) && s[intEnd] >= '0' && s[intEnd] <= '9' {
		intEnd++
	}
	intPart, frac := s[:intEnd], ""
	rest := s[intEnd:]
	if len(rest) > 0 && rest[0] == '.' {
		fracEnd := 1
		for fracEnd < len(rest) && rest[fracEnd] >= '0' && rest[fracEnd] <= '9' {
			fracEnd++
		}
		frac, rest = rest[1:fracEnd], rest[fracEnd:]
		if frac == "" {
			return Amount{}, errAmountSyntax
		}
	}
	switch {
	case len(rest) > 0 && (rest[0] == 'e' || rest[0] == 'E'):
		return Amount{}, errAmountExponent
	case len(rest) > 0, intPart == "", len(intPart) > 1 && intPart[0] == '0':
		return Amount{}, errAmountSyntax
	case len(frac) > minor:
		return Amount{}, errAmountDecimals
	}

	// The magnitude in minor units, kept within what an int64 of this sign can hold.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var v uint64
	push := func(d byte) bool {
		if v > (limit-uint64(d))/10 {
			return false
		}
		v = v*10 + uint64(d)
		return true
	}
	for i := 0; i < len(intPart); i++ {
		if !push(intPart[i] - '0') {
			return Amount{}, errAmountRange
		}
	}
	for i := 0; i < minor; i++ {
		d := byte(0)
		if i < len(frac) {
			d = frac[i] - '0'
		}
		if !push(d) {
			return Amount{}, errAmountRange
		}
	}
	m := int64(v)
	if neg {
		// -v wraps to math.MinInt64 for v == 1<<63, which is what it should be.
		m = int64(-v)
	}
	return Amount{Minor: m, Currency: iso4217Upper(currency)}, nil
}

// String formats with exactly the currency's minor units: "10.00", "0.05", "1000" for JPY.
// An Amount of a currency Kund does not know formats as its minor units.
func (a Amount) String() string {
	minor, _ := Currency(a.Currency)
	u := uint64(a.Minor)
	if a.Minor < 0 {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	if minor > 0 {
		if len(digits) <= minor {
			digits = "0000"[:minor+1-len(digits)] + digits
		}
		digits = digits[:len(digits)-minor] + "." + digits[len(digits)-minor:]
	}
	if a.Minor < 0 {
		return "-" + digits
	}
	return digits
}

// iso4217Upper upper-cases a 3-letter currency code that Currency accepted.
func iso4217Upper(code string) string {
	b := []byte(code)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
