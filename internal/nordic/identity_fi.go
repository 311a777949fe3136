package nordic

import (
	"errors"
	"time"
)

// Finnish henkilötunnus (Digi- ja väestötietovirasto) and Y-tunnus (YTJ).

var (
	errFIPersonShape = errors.New("must be 11 characters: date, century sign, individual number, check character")
	errFISign        = errors.New("century sign is not valid")
	errFIIndividual  = errors.New("individual number must be 002-999")
	errFICheck       = errors.New("check character is wrong")
	errFIOrgShape    = errors.New("must be 7 digits, a dash and a check digit")
)

// fiCheckChars maps the remainder mod 31 of DDMMYYZZZ to the check character.
const fiCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

var fiOrgWeights = []int{7, 9, 10, 5, 8, 4, 2}

// fiCentury is the century of a century sign, including the signs added in 2023: '+' 1800s;
// '-', Y, X, W, V, U 1900s; A, B, C, D, E, F 2000s.
func fiCentury(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

func fiUpper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// parseFIPerson checks a henkilötunnus DDMMYYCZZZQ. Individual numbers 002-899 are permanent
// and 900-999 temporary ones; both are accepted. The canonical form is upper-case and keeps
// the century sign given, since two people born the same day may differ only by it.
func parseFIPerson(s string, now time.Time) (string, error) {
	if len(s) != 11 || !idDigits(s[:6]) || !idDigits(s[7:10]) {
		return "", errFIPersonShape
	}
	sign, check := fiUpper(s[6]), fiUpper(s[10])
	century, ok := fiCentury(sign)
	if !ok {
		return "", errFISign
	}
	individual := idNum(s[7:10])
	if individual < 2 {
		return "", errFIIndividual
	}
	y, m, d := century+idNum(s[4:6]), idNum(s[2:4]), idNum(s[0:2])
	if !idDateExists(y, m, d) {
		return "", errIDDate
	}
	if idAfter(y, m, d, now) {
		return "", errIDFuture
	}
	if fiCheckChars[(idNum(s[:6])*1000+individual)%31] != check {
		return "", errFICheck
	}
	var b [11]byte
	copy(b[:], s)
	b[6], b[10] = sign, check
	return string(b[:]), nil
}

func fiBirthDate(c string) (y, m, d int, err error) {
	if len(c) != 11 || !idDigits(c[:6]) {
		return 0, 0, 0, errFIPersonShape
	}
	century, ok := fiCentury(c[6])
	if !ok {
		return 0, 0, 0, errFISign
	}
	y, m, d = century+idNum(c[4:6]), idNum(c[2:4]), idNum(c[0:2])
	if !idDateExists(y, m, d) {
		return 0, 0, 0, errIDDate
	}
	return y, m, d, nil
}

func fiBuildPerson(y, m, d, serial int) (string, bool) {
	if serial < 2 || serial > 899 || y < 1800 || y > 2099 {
		return "", false
	}
	var b [11]byte
	idPut(b[0:2], d, 2)
	idPut(b[2:4], m, 2)
	idPut(b[4:6], y%100, 2)
	b[6] = "+-A"[y/100-18]
	idPut(b[7:10], serial, 3)
	b[10] = fiCheckChars[(idNum(string(b[:6]))*1000+serial)%31]
	return string(b[:]), true
}

// fiOrgCheck is the Y-tunnus check digit of 7 digits: the weighted sum's remainder r mod 11
// gives 0 for r = 0, 11-r for r >= 2, and no valid number for r = 1 (-1).
func fiOrgCheck(base string) int {
	r := idWeighted(base, fiOrgWeights) % 11
	switch r {
	case 0:
		return 0
	case 1:
		return -1
	}
	return 11 - r
}

// parseFIOrganisation checks a Y-tunnus NNNNNNN-N. It also takes the 8 digits without the dash
// and the old 6-digit base (NNNNNN-N or 7 digits), which is padded with a leading zero.
func parseFIOrganisation(s string) (string, error) {
	switch {
	case len(s) == 9 && s[7] == '-':
		s = s[:7] + s[8:]
	case len(s) == 8 && s[6] == '-':
		s = "0" + s[:6] + s[7:]
	case len(s) == 7:
		s = "0" + s
	}
	if len(s) != 8 || !idDigits(s) {
		return "", errFIOrgShape
	}
	if c := fiOrgCheck(s[:7]); c < 0 || c != int(s[7]-'0') {
		return "", errIDCheckDigit
	}
	return s[:7] + "-" + s[7:], nil
}

func fiBuildOrganisation(serial int) (string, bool) {
	if serial < 0 || serial > 9_999_999 {
		return "", false
	}
	var b [9]byte
	idPut(b[:7], serial, 7)
	c := fiOrgCheck(string(b[:7]))
	if c < 0 {
		return "", false
	}
	b[7] = '-'
	b[8] = byte(c) + '0'
	return string(b[:]), true
}
