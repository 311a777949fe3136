package nordic

// luhnValid reports whether the last digit of d (ASCII digits only) is its Luhn (mod 10)
// check digit: identity numbers, bankgiro, plusgiro and many bank accounts use it.
func luhnValid(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i -= 2 {
		sum += int(d[i] - '0')
	}
	for i := len(d) - 2; i >= 0; i -= 2 {
		v := int(d[i]-'0') * 2
		sum += v/10 + v%10
	}
	return sum%10 == 0
}

// luhnDigit is the Luhn check digit that makes payload+digit valid.
func luhnDigit(payload string) byte {
	sum := 0
	for i := len(payload) - 1; i >= 0; i -= 2 {
		v := int(payload[i]-'0') * 2
		sum += v/10 + v%10
	}
	for i := len(payload) - 2; i >= 0; i -= 2 {
		sum += int(payload[i] - '0')
	}
	return byte('0' + (10-sum%10)%10)
}

// Luhn reports whether d, ASCII digits only, ends in its Luhn check digit:
// the check of payment card numbers.
func Luhn(d string) bool { return luhnValid(d) }
