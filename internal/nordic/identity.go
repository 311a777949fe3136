package nordic

import (
	"errors"
	"strings"
	"time"
)

// Kind of identity number.
type Kind int

const (
	Person       Kind = iota + 1 // a personal identity number
	Organisation                 // an organisation number
)

// String names the kind in lower case, for messages and tests.
func (k Kind) String() string {
	switch k {
	case Person:
		return "person"
	case Organisation:
		return "organisation"
	}
	return "unknown"
}

// Errors shared by the identity numbers of all four countries. Their texts never include the
// input.
var (
	errIDEmpty      = errors.New("must not be empty")
	errIDCountry    = errors.New("identity numbers of this country are not checked")
	errIDCheckDigit = errors.New("check digit is wrong")
	errIDDate       = errors.New("date does not exist")
	errIDFuture     = errors.New("birth date is in the future")
)

// IdentityCountry reports whether the identity numbers of country are checked: SE, NO, DK
// and FI.
func IdentityCountry(country string) bool {
	switch country {
	case "SE", "NO", "DK", "FI":
		return true
	}
	return false
}

// ParsePersonalNumber validates a personal identity number of country (upper-case ISO
// alpha-2) and returns its canonical form. now decides the century of Swedish 10-digit numbers
// and refuses birth dates after now's calendar day; for Norway it also decides whether
// numbers issued under the rules of 2032 can exist yet.
//
// Surrounding white space is removed, and so are spaces inside the number: they cannot change
// its meaning, because the digits, the separator and their positions are checked afterwards.
func ParsePersonalNumber(country, s string, now time.Time) (string, error) {
	s, err := cleanIdentity(s)
	if err != nil {
		return "", err
	}
	switch country {
	case "SE":
		return parseSEPerson(s, now)
	case "NO":
		return parseNOPerson(s, now)
	case "DK":
		return parseDKPerson(s, now)
	case "FI":
		return parseFIPerson(s, now)
	}
	return "", errIDCountry
}

// ParseOrganisationNumber validates an organisation number and returns its canonical form.
// White space is treated as in ParsePersonalNumber.
func ParseOrganisationNumber(country, s string) (string, error) {
	s, err := cleanIdentity(s)
	if err != nil {
		return "", err
	}
	switch country {
	case "SE":
		return parseSEOrganisation(s)
	case "NO":
		return parseNOOrganisation(s)
	case "DK":
		return parseDKOrganisation(s)
	case "FI":
		return parseFIOrganisation(s)
	}
	return "", errIDCountry
}

// ParseIdentity accepts either kind and says which it was. The shape of the input decides the
// kind, so one input never depends on which parse happens to succeed:
//
//   - SE: a '+' separator means a person. 12 digits starting with 16 are an organisation, other
//     12-digit forms (18, 19, 20) a person. 10 digits whose third digit is 2 or more are an
//     organisation (personal numbers have month 01-12, organisation numbers have "month"
//     digits of 20 or more); otherwise a person.
//   - NO: 11 digits are a person, anything else is read as an organisation number (9 digits).
//   - DK: 10 digits, with or without the dash, are a person; anything else an organisation (8).
//   - FI: 11 characters (date, century sign, individual number, check character) are a
//     person; anything else a Y-tunnus.
func ParseIdentity(country, s string, now time.Time) (canonical string, kind Kind, err error) {
	s, err = cleanIdentity(s)
	if err != nil {
		return "", 0, err
	}
	kind = Organisation
	switch country {
	case "SE":
		if seLooksPersonal(s) {
			kind = Person
		}
	case "NO":
		if len(s) == 11 {
			kind = Person
		}
	case "DK":
		if len(s) == 10 || (len(s) == 11 && s[6] == '-') {
			kind = Person
		}
	case "FI":
		if len(s) == 11 {
			kind = Person
		}
	default:
		return "", 0, errIDCountry
	}
	if kind == Person {
		canonical, err = ParsePersonalNumber(country, s, now)
	} else {
		canonical, err = ParseOrganisationNumber(country, s)
	}
	if err != nil {
		return "", 0, err
	}
	return canonical, kind, nil
}

// BirthDate of a canonical personal number (for SE, NO, DK and FI), at midnight UTC.
//
// For Norwegian numbers issued under the rules of 2032 the number no longer tells the century
// (see parseNOPerson); BirthDate then answers an error and the register's birth date is the
// one to use.
func BirthDate(country, canonical string) (time.Time, error) {
	var y, m, d int
	var err error
	switch country {
	case "SE":
		y, m, d, err = seBirthDate(canonical)
	case "NO":
		y, m, d, err = noBirthDate(canonical)
	case "DK":
		y, m, d, err = dkBirthDate(canonical)
	case "FI":
		y, m, d, err = fiBirthDate(canonical)
	default:
		return time.Time{}, errIDCountry
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// PersonalNumber builds a valid canonical personal number for a birth date (its calendar day
// in its own location) and an individual serial: SE 0..999 (the three digits before the check
// digit), NO 0..999 (the individual number, which must belong to the birth year's century),
// DK 0..9999 (the serial, whose first digit must encode the birth year's century), FI 2..899.
// It answers ok=false when no valid number exists for that serial, for example when a
// Norwegian check digit would be 10; callers then try the next serial. Norwegian numbers are
// built by the classic rules, so BirthDate gives the birth date back for all of them.
func PersonalNumber(country string, birth time.Time, serial int) (string, bool) {
	y, mo, d := birth.Date()
	m := int(mo)
	switch country {
	case "SE":
		return seBuildPerson(y, m, d, serial)
	case "NO":
		return noBuildPerson(y, m, d, serial)
	case "DK":
		return dkBuildPerson(y, m, d, serial)
	case "FI":
		return fiBuildPerson(y, m, d, serial)
	}
	return "", false
}

// OrganisationNumber builds a valid canonical organisation number from a base serial (the
// digits before the check digit: SE 9, NO 8, DK 7, FI 7), ok=false when that base is not an
// organisation number of the country or has no valid check digit.
func OrganisationNumber(country string, serial int) (string, bool) {
	switch country {
	case "SE":
		return seBuildOrganisation(serial)
	case "NO":
		return noBuildOrganisation(serial)
	case "DK":
		return dkBuildOrganisation(serial)
	case "FI":
		return fiBuildOrganisation(serial)
	}
	return "", false
}

// maxIdentityInput bounds the work done on hostile input; every accepted form is shorter.
const maxIdentityInput = 32

// cleanIdentity trims surrounding white space and removes inner spaces. Over-long input is
// returned as it is, so that the country's shape check refuses it.
func cleanIdentity(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errIDEmpty
	}
	if len(s) > maxIdentityInput {
		return s, nil
	}
	if strings.IndexByte(s, ' ') >= 0 {
		s = strings.ReplaceAll(s, " ", "")
	}
	return s, nil
}

// idDigits reports whether s is non-empty and only ASCII digits.
func idDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// idNum is the value of a short string of ASCII digits.
func idNum(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// idWeighted is the sum of the digits of s multiplied by weights, position by position.
func idWeighted(s string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return sum
}

// idMod11Check is the check digit that, weighted 1, makes the weighted sum of payload and
// check digit divisible by 11; -1 when it would have to be 10.
func idMod11Check(payload string, weights []int) int {
	c := (11 - idWeighted(payload, weights)%11) % 11
	if c == 10 {
		return -1
	}
	return c
}

func idLeap(y int) bool {
	return y%4 == 0 && (y%100 != 0 || y%400 == 0)
}

func idDaysIn(y, m int) int {
	switch m {
	case 2:
		if idLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// idDateExists reports whether y-m-d is a date of the Gregorian calendar.
func idDateExists(y, m, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= idDaysIn(y, m)
}

// idAfter reports whether y-m-d comes after the calendar day of now (in now's location).
func idAfter(y, m, d int, now time.Time) bool {
	ny, nm, nd := now.Date()
	if y != ny {
		return y > ny
	}
	if m != int(nm) {
		return m > int(nm)
	}
	return d > nd
}

// idLatestYear is the latest year ending in yy (0..99) whose m-d is not after now; m-d need not
// exist in that year.
func idLatestYear(yy, m, d int, now time.Time) int {
	ny, nm, nd := now.Date()
	y := ny - ((ny-yy)%100+100)%100
	if y == ny && (m > int(nm) || m == int(nm) && d > nd) {
		y -= 100
	}
	return y
}

// idPut writes n as width decimal digits into b.
func idPut(b []byte, n, width int) {
	for i := width - 1; i >= 0; i-- {
		b[i] = byte(n%10) + '0'
		n /= 10
	}
}
