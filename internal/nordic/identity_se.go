package nordic

import (
	"errors"
	"time"
)

// Swedish personnummer and samordningsnummer (Skatteverket) and organisationsnummer
// (Bolagsverket). Both carry a Luhn check digit over their 10-digit form.

var (
	errSEPersonShape = errors.New("must be 10 or 12 digits")
	errSECentury     = errors.New("century must be 18, 19 or 20")
	errSEOrgShape    = errors.New("must be 10 digits")
	errSENotOrg      = errors.New("not a Swedish organisation number")
)

// seSplitPerson separates the digits of a personal number from its separator ('-', '+' or 0
// for none), which stands before the last four digits.
func seSplitPerson(s string) (digits string, sep byte, err error) {
	if n := len(s); (n == 11 || n == 13) && (s[n-5] == '-' || s[n-5] == '+') {
		sep = s[n-5]
		s = s[:n-5] + s[n-4:]
	}
	if len(s) != 10 && len(s) != 12 || !idDigits(s) {
		return "", 0, errSEPersonShape
	}
	return s, sep, nil
}

// seLooksPersonal decides ParseIdentity's reading of a Swedish number by its shape only.
func seLooksPersonal(s string) bool {
	digits, sep, err := seSplitPerson(s)
	switch {
	case err != nil || sep == '+':
		// A malformed number gets the personal number's message, which names both lengths.
		return true
	case len(digits) == 12:
		return digits[:2] != "16"
	}
	return digits[2] < '2'
}

// parseSEPerson reads a personnummer or samordningsnummer (day of month plus 60). A 12-digit
// form gives the century. A 10-digit form takes the latest century that does not put the
// birth date after now; the separator '+' (used from the year a person turns 100) moves it
// 100 years further back; in the 12-digit form either separator is redundant and accepted.
// The canonical form is YYYYMMDD-NNNN, keeping day+60 of a samordningsnummer.
func parseSEPerson(s string, now time.Time) (string, error) {
	d, sep, err := seSplitPerson(s)
	if err != nil {
		return "", err
	}
	y := 0
	if len(d) == 12 {
		y = idNum(d[:4])
		if y < 1800 || y > 2099 {
			return "", errSECentury
		}
		d = d[2:]
	}
	m, day := idNum(d[2:4]), idNum(d[4:6])
	if day > 60 {
		day -= 60
	}
	if m < 1 || m > 12 || day < 1 || day > 31 {
		return "", errIDDate
	}
	if y == 0 {
		y = idLatestYear(idNum(d[:2]), m, day, now)
		if sep == '+' {
			y -= 100
		}
		if y < 1800 {
			return "", errSECentury // only with a now before 1900
		}
	}
	if !idDateExists(y, m, day) {
		return "", errIDDate
	}
	if idAfter(y, m, day, now) {
		return "", errIDFuture
	}
	if !luhnValid(d) {
		return "", errIDCheckDigit
	}
	return seCanonicalPerson(y/100, d), nil
}

// seCanonicalPerson joins the century and a 10-digit number into YYYYMMDD-NNNN.
func seCanonicalPerson(century int, d10 string) string {
	var b [13]byte
	idPut(b[:2], century, 2)
	copy(b[2:8], d10[:6])
	b[8] = '-'
	copy(b[9:], d10[6:])
	return string(b[:])
}

// parseSEOrganisation reads NNNNNN-NNNN, NNNNNNNNNN or the 12-digit form with the prefix 16
// (with or without the dash). The third digit is 2 or more, which no personal number has.
func parseSEOrganisation(s string) (string, error) {
	if n := len(s); (n == 11 || n == 13) && s[n-5] == '-' {
		s = s[:n-5] + s[n-4:]
	}
	if len(s) != 10 && len(s) != 12 || !idDigits(s) {
		return "", errSEOrgShape
	}
	if len(s) == 12 {
		if s[:2] != "16" {
			return "", errSENotOrg
		}
		s = s[2:]
	}
	if s[2] < '2' {
		return "", errSENotOrg
	}
	if !luhnValid(s) {
		return "", errIDCheckDigit
	}
	return s[:6] + "-" + s[6:], nil
}

func seBirthDate(c string) (y, m, d int, err error) {
	if len(c) != 13 || c[8] != '-' || !idDigits(c[:8]) || !idDigits(c[9:]) {
		return 0, 0, 0, errSEPersonShape
	}
	y, m, d = idNum(c[:4]), idNum(c[4:6]), idNum(c[6:8])
	if d > 60 {
		d -= 60
	}
	if !idDateExists(y, m, d) {
		return 0, 0, 0, errIDDate
	}
	return y, m, d, nil
}

func seBuildPerson(y, m, d, serial int) (string, bool) {
	if serial < 0 || serial > 999 || y < 1800 || y > 2099 {
		return "", false
	}
	var b [10]byte
	idPut(b[0:2], y%100, 2)
	idPut(b[2:4], m, 2)
	idPut(b[4:6], d, 2)
	idPut(b[6:9], serial, 3)
	b[9] = luhnDigit(string(b[:9]))
	return seCanonicalPerson(y/100, string(b[:])), true
}

func seBuildOrganisation(serial int) (string, bool) {
	if serial < 0 || serial > 999_999_999 {
		return "", false
	}
	var b [11]byte
	idPut(b[:6], serial/1000, 6)
	idPut(b[7:10], serial%1000, 3)
	b[6] = '-'
	if b[2] < '2' {
		return "", false
	}
	b[10] = luhnDigit(string(b[:6]) + string(b[7:10]))
	return string(b[:]), true
}
