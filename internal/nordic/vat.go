package nordic

import (
	"errors"
	"regexp"
	"strings"
)

var (
	errVATEmpty   = errors.New("must not be empty")
	errVATChars   = errors.New("must contain only letters and digits")
	errVATLength  = errors.New("must be 7 to 17 characters")
	errVATPrefix  = errors.New("must start with a two-letter country prefix")
	errVATFormat  = errors.New("does not match the country's VAT number format")
	errVATSEShape = errors.New("must be SE, 10 digits and 01")
	errVATNOShape = errors.New("must be NO, 9 digits and MVA")
	errVATDKShape = errors.New("must be DK and 8 digits")
	errVATFIShape = errors.New("must be FI and 8 digits")
)

// vatFormats are the formats of the EU member states' VAT numbers after the prefix, as the
// European Commission publishes them for VIES. Only the shape is checked; the Nordic ones
// have their own rules in ParseVAT.
var vatFormats = map[string]*regexp.Regexp{
	"AT": regexp.MustCompile(`^U[0-9]{8}$`),
	"BE": regexp.MustCompile(`^[01][0-9]{9}$`),
	"BG": regexp.MustCompile(`^[0-9]{9,10}$`),
	"CY": regexp.MustCompile(`^[0-9]{8}[A-Z]$`),
	"CZ": regexp.MustCompile(`^[0-9]{8,10}$`),
	"DE": regexp.MustCompile(`^[0-9]{9}$`),
	"EE": regexp.MustCompile(`^[0-9]{9}$`),
	"EL": regexp.MustCompile(`^[0-9]{9}$`),
	"ES": regexp.MustCompile(`^[0-9A-Z][0-9]{7}[0-9A-Z]$`),
	"FR": regexp.MustCompile(`^[0-9A-HJ-NP-Z]{2}[0-9]{9}$`),
	"HR": regexp.MustCompile(`^[0-9]{11}$`),
	"HU": regexp.MustCompile(`^[0-9]{8}$`),
	"IE": regexp.MustCompile(`^([0-9]{7}[A-W][A-IW]?|[0-9][A-Z][0-9]{5}[A-W])$`),
	"IT": regexp.MustCompile(`^[0-9]{11}$`),
	"LT": regexp.MustCompile(`^([0-9]{9}|[0-9]{12})$`),
	"LU": regexp.MustCompile(`^[0-9]{8}$`),
	"LV": regexp.MustCompile(`^[0-9]{11}$`),
	"MT": regexp.MustCompile(`^[0-9]{8}$`),
	"NL": regexp.MustCompile(`^[0-9]{9}B[0-9]{2}$`),
	"PL": regexp.MustCompile(`^[0-9]{10}$`),
	"PT": regexp.MustCompile(`^[0-9]{9}$`),
	"RO": regexp.MustCompile(`^[0-9]{2,10}$`),
	"SI": regexp.MustCompile(`^[0-9]{8}$`),
	"SK": regexp.MustCompile(`^[0-9]{10}$`),
	// Northern Ireland keeps the United Kingdom's formats.
	"XI": regexp.MustCompile(`^([0-9]{9}|[0-9]{12}|GD[0-4][0-9]{2}|HA[5-9][0-9]{2})$`),
}

// ParseVAT normalises a VAT number (upper-case; spaces, dots and dashes removed) and checks
// it. The Nordic numbers are checked with their check digits: SE is SE, a Luhn-valid
// organisation or personal number and 01; NO is NO, an organisation number and MVA (added
// when missing); DK is DK and a CVR number; FI is FI and a Y-tunnus without the dash. The
// other EU member states (and XI) must match their published format; any other prefix of two
// letters is followed by letters and digits. The result is always 7 to 17 characters.
func ParseVAT(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errVATEmpty
	}
	if len(s) > 64 {
		return "", errVATLength
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '.' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		default:
			return "", errVATChars
		}
		b = append(b, c)
	}
	v := string(b)
	if len(v) < 2 || v[0] < 'A' || v[1] < 'A' {
		return "", errVATPrefix
	}
	if len(v) == 11 && v[:2] == "NO" && idDigits(v[2:]) {
		v += "MVA"
	}
	if len(v) < 7 || len(v) > 17 {
		return "", errVATLength
	}
	prefix, rest := v[:2], v[2:]
	switch prefix {
	case "SE":
		if len(rest) != 12 || !idDigits(rest) || rest[10:] != "01" {
			return "", errVATSEShape
		}
		if !seVATForm(rest[:10]) {
			return "", errVATFormat
		}
		if !luhnValid(rest[:10]) {
			return "", errIDCheckDigit
		}
	case "NO":
		if len(rest) != 12 || rest[9:] != "MVA" || !idDigits(rest[:9]) {
			return "", errVATNOShape
		}
		if _, err := parseNOOrganisation(rest[:9]); err != nil {
			return "", err
		}
	case "DK":
		if len(rest) != 8 || !idDigits(rest) {
			return "", errVATDKShape
		}
		if _, err := parseDKOrganisation(rest); err != nil {
			return "", err
		}
	case "FI":
		if len(rest) != 8 || !idDigits(rest) {
			return "", errVATFIShape
		}
		if _, err := parseFIOrganisation(rest); err != nil {
			return "", err
		}
	default:
		if re, ok := vatFormats[prefix]; ok && !re.MatchString(rest) {
			return "", errVATFormat
		}
	}
	return v, nil
}

// seVATForm reports whether 10 digits have the form of an organisation number (third digit 2
// or more) or of a personal number (month 01-12, day 01-31 or 61-91 that exists in some year).
func seVATForm(d string) bool {
	if d[2] >= '2' {
		return true
	}
	m, day := idNum(d[2:4]), idNum(d[4:6])
	if day > 60 {
		day -= 60
	}
	// Year 2000 is a leap year, so 29 February passes, as it may for the unknown century.
	return idDateExists(2000, m, day)
}
