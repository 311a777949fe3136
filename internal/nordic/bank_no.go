package nordic

// Norwegian account numbers (kontonummer) have 11 digits: 4 for the bank's register number,
// 2 for the account group and 5 for the account, the last a mod 11 check digit over the first
// ten with the standard weights 5, 4, 3, 2, 7, 6, 5, 4, 3, 2. A remainder that would need
// check digit 10 gives no valid number. They are written "8601 11 17947" or "8601.11.17947".

// acctNOWeights holds the weights of the ten digits before the check digit.
var acctNOWeights = [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}

// ParseNorwegianAccount: 11 digits (separators "." and " " allowed), mod 11 weights 5,4,3,2,7,6,5,4,3,2; canonical 11 digits.
func ParseNorwegianAccount(s string) (string, error) {
	if len(s) > acctMaxInput {
		return "", errAcctInputTooLong
	}
	var b [11]byte
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n == len(b) {
				return "", errAcctNOLen
			}
			b[n] = c
			n++
		case c == ' ' || c == '.':
		default:
			return "", errAcctNOChars
		}
	}
	if n == 0 {
		return "", errAcctEmpty
	}
	if n != len(b) {
		return "", errAcctNOLen
	}
	d := string(b[:])
	if acctAllZero(d) {
		return "", errAcctZero
	}
	if !acctNOCheck(d) {
		return "", errAcctCheckDigit
	}
	return d, nil
}

// acctNOCheck reports whether the 11 digits of d end in their mod 11 check digit.
func acctNOCheck(d string) bool {
	sum := 0
	for i, w := range acctNOWeights {
		sum += int(d[i]-'0') * w
	}
	check := (11 - sum%11) % 11
	return check != 10 && byte('0'+check) == d[10]
}
