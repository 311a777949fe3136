package nordic

import (
	"errors"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

var (
	errMSISDNEmpty   = errors.New("must not be empty")
	errMSISDNPlus    = errors.New("must start with + and the country code")
	errMSISDNChars   = errors.New("must contain only digits after the +")
	errMSISDNShort   = errors.New("must be at least 5 characters")
	errMSISDNLong    = errors.New("must be at most 15 characters")
	errMSISDNInvalid = errors.New("not a valid phone number")
	errMSISDNMobile  = errors.New("not a mobile phone number")
	errMSISDNE164    = errors.New("must be in E.164 form")
)

// msisdnMaxInput bounds the input handed to the phone number library.
const msisdnMaxInput = 40

// ParseMSISDN returns the E.164 form of a phone number given in international form: a '+',
// the country code and the number, which may be grouped by spaces or dashes. The number must
// be valid and of type mobile or fixed-or-mobile according to nyaruka/phonenumbers; the result
// is 5 to 15 characters including the '+'. Letters are refused, although the library would
// read them as keypad digits.
//
// Almost every number a Nordic registry sees is a Swedish, Norwegian, Danish or Finnish
// mobile, and asking the library costs tens of microseconds and dozens of allocations (a
// tenth of the CPU of a bulk import). Those numbers are therefore decided by msisdnPlans, a
// transcription of the library's own metadata for the four countries, and everything else is
// left to the library. The two paths give the same result for every input: the tests pin the
// metadata the tables were written from, compare both paths over every prefix of up to four
// digits at every length, and FuzzMSISDNFastPath compares them on arbitrary input.
func ParseMSISDN(s string) (string, error) {
	var buf [msisdnMaxInput]byte
	b, err := msisdnDigits(buf[:0], s)
	if err != nil {
		return "", err
	}
	if e164, ok := msisdnNordicMobile(b); ok {
		return e164, nil
	}
	return msisdnLibrary(b)
}

// parseMSISDNSlow is ParseMSISDN without the fast path, the reference the tests hold it to.
func parseMSISDNSlow(s string) (string, error) {
	var buf [msisdnMaxInput]byte
	b, err := msisdnDigits(buf[:0], s)
	if err != nil {
		return "", err
	}
	return msisdnLibrary(b)
}

// msisdnDigits appends to b the '+' and the digits of s, refusing anything but a '+' followed
// by digits, spaces and dashes, and more or fewer digits than an E.164 number may have.
func msisdnDigits(b []byte, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errMSISDNEmpty
	}
	if s[0] != '+' {
		return nil, errMSISDNPlus
	}
	if len(s) > msisdnMaxInput {
		return nil, errMSISDNLong
	}
	b = append(b, '+')
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == ' ' || c == '-':
		default:
			return nil, errMSISDNChars
		}
	}
	if len(b) < 5 {
		return nil, errMSISDNShort
	}
	if len(b) > 16 {
		return nil, errMSISDNLong
	}
	return b, nil
}

// msisdnLibrary asks nyaruka/phonenumbers about b, a '+' and 4 to 15 digits.
func msisdnLibrary(b []byte) (string, error) {
	num, err := phonenumbers.Parse(string(b), phonenumbers.UNKNOWN_REGION)
	if err != nil {
		return "", errMSISDNInvalid
	}
	// GetNumberType matches the same patterns as IsValidNumber, which would only repeat the
	// work: a number that matches none of its country's patterns is UNKNOWN.
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	case phonenumbers.UNKNOWN:
		return "", errMSISDNInvalid
	default:
		return "", errMSISDNMobile
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if len(e164) < 5 {
		return "", errMSISDNShort
	}
	if len(e164) > 15 {
		return "", errMSISDNLong
	}
	return e164, nil
}

// MSISDNParts splits a valid E.164 number into its dialling code ("+47") and national
// significant number ("91234567").
func MSISDNParts(e164 string) (callingCode, national string, err error) {
	if len(e164) < 5 || len(e164) > 16 || e164[0] != '+' || !idDigits(e164[1:]) {
		return "", "", errMSISDNE164
	}
	num, err := phonenumbers.Parse(e164, phonenumbers.UNKNOWN_REGION)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", "", errMSISDNInvalid
	}
	callingCode = "+" + strconv.Itoa(int(num.GetCountryCode()))
	national = phonenumbers.GetNationalSignificantNumber(num)
	if callingCode+national != e164 {
		return "", "", errMSISDNE164
	}
	return callingCode, national, nil
}
