package nordic

// Bankgiro numbers (Bankgirot) have 7 or 8 digits and PlusGiro numbers (Nordea) 2 to 8; the
// last digit of both is a Luhn (mod 10) check digit over the others. Neither kind of number
// starts with 0, which would make the 7- and 8-digit forms of one number ambiguous.

// ParseBankgiro: 7 or 8 digits, formatted "NNN-NNNN" / "NNNN-NNNN", Luhn mod 10. Returns canonical with dash.
// Spaces, dashes and dots in the input are ignored.
func ParseBankgiro(s string) (string, error) {
	d, err := giroDigits(s, 7, 8, errGiroBankgiroLen)
	if err != nil {
		return "", err
	}
	return d[:len(d)-4] + "-" + d[len(d)-4:], nil
}

// ParsePlusgiro: 2-8 digits, Luhn mod 10, canonical "NNNNNNN-N" (dash before the last digit).
// Spaces, dashes and dots in the input are ignored, so "90 01 22-3" reads as "900122-3".
func ParsePlusgiro(s string) (string, error) {
	d, err := giroDigits(s, 2, 8, errGiroPlusgiroLen)
	if err != nil {
		return "", err
	}
	return d[:len(d)-1] + "-" + d[len(d)-1:], nil
}

// giroDigits returns the digits of a giro number of minLen to maxLen digits with a valid
// Luhn check digit.
func giroDigits(s string, minLen, maxLen int, lenErr error) (string, error) {
	d, err := acctDigits(s)
	if err != nil {
		return "", err
	}
	switch {
	case d == "":
		return "", errAcctEmpty
	case len(d) < minLen || len(d) > maxLen:
		return "", lenErr
	case d[0] == '0':
		return "", errGiroLeadingZero
	case !luhnValid(d):
		return "", errAcctCheckDigit
	}
	return d, nil
}
