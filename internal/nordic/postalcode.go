package nordic

import (
	"errors"
	"strings"
	"unicode"
)

var (
	errPostalEmpty   = errors.New("must not be empty")
	errPostalSE      = errors.New("must be 5 digits, the first not 0")
	errPostalNO      = errors.New("must be 4 digits")
	errPostalDK      = errors.New("must be 4 digits from 0800 to 9999")
	errPostalFI      = errors.New("must be 5 digits")
	errPostalGeneric = errors.New("must be 1 to 9 letters, digits or dashes")
)

// postalMaxInput bounds the work done on hostile input.
const postalMaxInput = 64

// ParsePostalCode removes all white space, upper-cases, and checks the country's format:
// SE 5 digits not starting with 0 (a prefix such as "SE-" is refused), NO 4 digits, DK 4
// digits from 0800 (Greenland and the Faroe Islands are countries of their own), FI 5
// digits, any other country 1 to 9 characters of A-Z, 0-9 and '-'.
func ParsePostalCode(country, s string) (string, error) {
	if len(s) > postalMaxInput {
		return "", errPostalGeneric
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	p := b.String()
	if p == "" {
		return "", errPostalEmpty
	}
	switch country {
	case "SE":
		if len(p) != 5 || !idDigits(p) || p[0] == '0' {
			return "", errPostalSE
		}
	case "NO":
		if len(p) != 4 || !idDigits(p) {
			return "", errPostalNO
		}
	case "DK":
		if len(p) != 4 || !idDigits(p) || p < "0800" {
			return "", errPostalDK
		}
	case "FI":
		if len(p) != 5 || !idDigits(p) {
			return "", errPostalFI
		}
	default:
		if len(p) > 9 {
			return "", errPostalGeneric
		}
		for i := 0; i < len(p); i++ {
			if c := p[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return "", errPostalGeneric
			}
		}
	}
	return p, nil
}
