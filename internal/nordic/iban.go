package nordic

import "errors"

var (
	errIBANEmpty    = errors.New("must not be empty")
	errIBANChars    = errors.New("must contain only letters, digits and spaces")
	errIBANCountry  = errors.New("country code is not one that uses IBAN")
	errIBANLength   = errors.New("has the wrong length for its country")
	errIBANFormat   = errors.New("does not match the account format of its country")
	errIBANCheck    = errors.New("check digits are wrong")
	errIBANBank     = errors.New("bank code is unknown")
	errIBANNational = errors.New("account number inside is not valid")
)

// ibanMaxLen is the longest IBAN ISO 13616 allows; the registry's longest has 33 characters.
const ibanMaxLen = 34

// ParseIBAN checks an IBAN and returns its electronic form: upper case, no spaces. It
// checks, in this order, that the country uses IBAN, the length and the BBAN structure the
// IBAN Registry gives for the country, the ISO 7064 mod 97 check digits and, where the
// country has one, the national check: for SE the Swedish account inside by the rules of
// ParseSwedishAccount, for NO the mod 11 of the 11-digit account number that is the BBAN,
// for FI the Luhn digit that ends the BBAN. Danish IBANs have no national check (see
// ibanNational).
func ParseIBAN(s string) (string, error) {
	var buf [ibanMaxLen]byte
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
			return "", errIBANChars
		}
		if n == len(buf) {
			return "", errIBANLength
		}
		buf[n] = c
		n++
	}
	if n == 0 {
		return "", errIBANEmpty
	}
	b := buf[:n]
	if n < 2 || !ibanLetter(b[0]) || !ibanLetter(b[1]) {
		return "", errIBANCountry
	}
	spec := &ibanSpecs[ibanIndex(b[0], b[1])]
	if spec.length == 0 {
		return "", errIBANCountry
	}
	if n != spec.length {
		return "", errIBANLength
	}
	iban := string(b)
	// ISO 13616 computes the check digits as 98 - (x mod 97), so they lie in 02..98; 00, 01
	// and 99 would pass the mod 97 test in place of 97, 98 and 02.
	if !ibanDigit(b[2]) || !ibanDigit(b[3]) || iban[2:4] < "02" || iban[2:4] > "98" {
		return "", errIBANCheck
	}
	bban := iban[4:]
	if !spec.ibanMatches(bban) {
		return "", errIBANFormat
	}
	if ibanMod97(iban) != 1 {
		return "", errIBANCheck
	}
	if err := ibanNational(iban[:2], bban); err != nil {
		return "", err
	}
	return iban, nil
}

func ibanLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
func ibanDigit(c byte) bool  { return c >= '0' && c <= '9' }

// ibanMod97 is the ISO 7064 MOD 97-10 remainder of the IBAN with its first four characters
// moved to the end and every letter read as the two digits 10 (A) to 35 (Z).
func ibanMod97(iban string) int {
	r := 0
	add := func(c byte) {
		if ibanDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	for i := 4; i < len(iban); i++ {
		add(iban[i])
	}
	for i := 0; i < 4; i++ {
		add(iban[i])
	}
	return r
}

// ibanNational checks the national check digit of the BBAN where Kund knows it.
func ibanNational(country, bban string) error {
	switch country {
	case "SE":
		return ibanSwedish(bban)
	case "NO":
		// The BBAN is the 11-digit Norwegian account number.
		if !acctNOCheck(bban) || acctAllZero(bban) {
			return errIBANNational
		}
	case "FI":
		// The BBAN is the 14-digit machine form of the account number; its last digit is a
		// Luhn check digit over the other 13.
		if !luhnValid(bban) {
			return errIBANNational
		}
	case "DK", "FO", "GL":
		// No national check: Danish banks (and those of the Faroe Islands and Greenland,
		// which share the format) follow no common check digit rule for account numbers,
		// so only mod 97 applies.
	}
	return nil
}

// ibanSwedish checks a Swedish BBAN: a 3-digit IBAN ID naming the bank and 17 account
// digits. How the account is written into those digits depends on the bank (see
// acctIBANWithClearing and its siblings), and one IBAN ID can cover clearing ranges with
// different methods (Nordea's personkonto, Swedbank's 7000 and 8000 series), so every range
// of the bank is tried.
func ibanSwedish(bban string) error {
	id := uint16(0)
	for i := 0; i < 3; i++ {
		id = id*10 + uint16(bban[i]-'0')
	}
	acct := bban[3:]
	known := false
	for i := range acctRanges {
		r := &acctRanges[i]
		if r.ibanID != id {
			continue
		}
		known = true
		if ibanSwedishFits(r, acct) {
			return nil
		}
	}
	if !known {
		return errIBANBank
	}
	return errIBANNational
}

// ibanSwedishFits reports whether the 17 account digits of a Swedish IBAN hold a valid
// account of range r.
func ibanSwedishFits(r *acctRange, acct string) bool {
	_, maxLen, _ := r.numberLen()
	var clearing, number string
	switch r.ibanMethod {
	case acctIBANWithClearing:
		// Zeros, the 4-digit clearing number, the account number.
		pad := 17 - 4 - maxLen
		clearing, number = acct[pad:pad+4], acct[pad+4:]
		if !acctAllZero(acct[:pad]) || !acctInRange(r, clearing) {
			return false
		}
	case acctIBANWithoutClearing:
		// Zeros and the account number: any clearing number of the range will do.
		pad := 17 - maxLen
		clearing, number = ibanClearingOf(r), acct[pad:]
		if !acctAllZero(acct[:pad]) {
			return false
		}
	case acctIBANWithClearing5:
		// "00", the 5-digit clearing number, the 10-digit account number.
		clearing, number = acct[2:7], acct[7:]
		if !acctAllZero(acct[:2]) || !acctInRange(r, clearing[:4]) {
			return false
		}
	default:
		return false
	}
	_, err := acctSwedish(clearing, number)
	return err == nil
}

// acctInRange reports whether the 4-digit clearing number c lies in r.
func acctInRange(r *acctRange, c string) bool {
	return acctLookup(c) == r
}

// ibanClearingOf is the first clearing number of r, which stands for the range when the IBAN
// leaves the clearing number out.
func ibanClearingOf(r *acctRange) string {
	var b [4]byte
	for i, v := 3, r.from; i >= 0; i, v = i-1, v/10 {
		b[i] = byte('0' + v%10)
	}
	return string(b[:])
}
