package nordic

import (
	"errors"
	"time"
)

// Danish CPR numbers (CPR-kontoret) and CVR numbers (Erhvervsstyrelsen).

var (
	errDKPersonShape = errors.New("must be 10 digits")
	errDKOrgShape    = errors.New("must be 8 digits")
	errDKNotOrg      = errors.New("not a Danish CVR number")
)

var dkOrgWeights = []int{2, 7, 6, 5, 4, 3, 2, 1}

// dkYear is the birth year given by the two-digit year and the 7th digit of a CPR number
// (CPR-kontoret's table):
//
//	7th digit  00-36      37-57      58-99
//	0-3        1900-1999
//	4, 9       2000-2036  1937-1999
//	5-8        2000-2057             1858-1899
func dkYear(yy int, digit7 byte) int {
	switch digit7 {
	case '0', '1', '2', '3':
		return 1900 + yy
	case '4', '9':
		if yy <= 36 {
			return 2000 + yy
		}
		return 1900 + yy
	}
	if yy <= 57 {
		return 2000 + yy
	}
	return 1800 + yy
}

// parseDKPerson checks a CPR number, DDMMYY-SSSS with or without the dash. Since 2007 CPR
// numbers need not pass the old modulus-11 test, so only the date is checked: it must exist in
// the century of the 7th digit and not lie after now.
func parseDKPerson(s string, now time.Time) (string, error) {
	if len(s) == 11 && s[6] == '-' {
		s = s[:6] + s[7:]
	}
	if len(s) != 10 || !idDigits(s) {
		return "", errDKPersonShape
	}
	y := dkYear(idNum(s[4:6]), s[6])
	m, d := idNum(s[2:4]), idNum(s[0:2])
	if !idDateExists(y, m, d) {
		return "", errIDDate
	}
	if idAfter(y, m, d, now) {
		return "", errIDFuture
	}
	return s[:6] + "-" + s[6:], nil
}

func dkBirthDate(c string) (y, m, d int, err error) {
	if len(c) != 11 || c[6] != '-' || !idDigits(c[:6]) || !idDigits(c[7:]) {
		return 0, 0, 0, errDKPersonShape
	}
	y, m, d = dkYear(idNum(c[4:6]), c[7]), idNum(c[2:4]), idNum(c[0:2])
	if !idDateExists(y, m, d) {
		return 0, 0, 0, errIDDate
	}
	return y, m, d, nil
}

func dkBuildPerson(y, m, d, serial int) (string, bool) {
	if serial < 0 || serial > 9999 || y < 1858 || y > 2057 {
		return "", false
	}
	var b [11]byte
	idPut(b[0:2], d, 2)
	idPut(b[2:4], m, 2)
	idPut(b[4:6], y%100, 2)
	b[6] = '-'
	idPut(b[7:11], serial, 4)
	if dkYear(y%100, b[7]) != y {
		return "", false
	}
	return string(b[:]), true
}

// parseDKOrganisation checks an 8-digit CVR number: it does not start with 0, and its digits
// weighted 2, 7, 6, 5, 4, 3, 2, 1 sum to a multiple of 11.
func parseDKOrganisation(s string) (string, error) {
	if len(s) != 8 || !idDigits(s) {
		return "", errDKOrgShape
	}
	if s[0] == '0' {
		return "", errDKNotOrg
	}
	if idWeighted(s, dkOrgWeights)%11 != 0 {
		return "", errIDCheckDigit
	}
	return s, nil
}

func dkBuildOrganisation(serial int) (string, bool) {
	if serial < 1_000_000 || serial > 9_999_999 {
		return "", false
	}
	var b [8]byte
	idPut(b[:7], serial, 7)
	c := idMod11Check(string(b[:7]), dkOrgWeights[:7])
	if c < 0 {
		return "", false
	}
	b[7] = byte(c) + '0'
	return string(b[:]), true
}
