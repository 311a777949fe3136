package nordic

import (
	"errors"
)

var (
	errBICEmpty   = errors.New("must not be empty")
	errBICLength  = errors.New("must be 8 or 11 characters")
	errBICChars   = errors.New("must contain only letters and digits")
	errBICBank    = errors.New("must start with 4 letters")
	errBICCountry = errors.New("country code is not an ISO 3166 code")
)

// bicCountry reports whether cc may stand in a BIC: an ISO 3166 code, or XK,
// which SWIFT uses for Kosovo (a user-assigned code in ISO 3166 that ISO 9362
// takes over).
func bicCountry(cc string) bool { return cc == "XK" || Country(cc) }

// ParseBIC checks a BIC (ISO 9362) and returns it upper-cased without spaces: 8 or 11
// characters, a bank code of 4 letters, an ISO 3166 country code, a location code of 2
// letters or digits and an optional branch code of 3. An 11-character BIC keeps its branch
// code, even the primary office's "XXX".
func ParseBIC(s string) (string, error) {
	var buf [11]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return "", errBICChars
		}
		if n == len(buf) {
			return "", errBICLength
		}
		buf[n] = c
		n++
	}
	switch {
	case n == 0:
		return "", errBICEmpty
	case n != 8 && n != 11:
		return "", errBICLength
	}
	b := buf[:n]
	for _, c := range b[:4] {
		if !ibanLetter(c) {
			return "", errBICBank
		}
	}
	if !bicCountry(string(b[4:6])) {
		return "", errBICCountry
	}
	// Letters and digits are all that is left, and both are allowed from here on.
	return string(b), nil
}
