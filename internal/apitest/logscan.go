package apitest

import (
	"regexp"
	"strings"
)

// Patterns of personal data that must never be in a log, whatever request
// carried them: e-mail addresses, card numbers (13-19 digits passing the
// Luhn check, optionally grouped), and Nordic identity numbers in their
// written forms (YYMMDD-NNNN, YYMMDD+NNNN, DDMMYYANNN, YYYYMMDD-NNNN, and
// 10-12 bare digits).
var (
	uuidPattern     = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	emailPattern    = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	cardPattern     = regexp.MustCompile(`\b\d(?:[ \-]?\d){12,18}\b`)
	identityPattern = regexp.MustCompile(`\b(?:\d{6}|\d{8})[\-+A]\d{3}[0-9A-Z]\b|\b\d{10,12}\b`)
)

// ScanPersonalData returns what in log looks like personal data. Request
// ids (UUIDs) are removed first: their digits are random, not personal.
func ScanPersonalData(log string) []string {
	log = uuidPattern.ReplaceAllString(log, "<uuid>")
	var found []string
	found = append(found, emailPattern.FindAllString(log, -1)...)
	for _, m := range cardPattern.FindAllString(log, -1) {
		if luhn(m) {
			found = append(found, m)
		}
	}
	found = append(found, identityPattern.FindAllString(log, -1)...)
	return found
}

func luhn(s string) bool {
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
