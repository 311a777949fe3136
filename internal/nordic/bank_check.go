package nordic

import "errors"

// Errors of the bank account and giro parsers. Their texts are fixed, so they never carry
// the input.
var (
	errAcctEmpty         = errors.New("must not be empty")
	errAcctChars         = errors.New("must contain only digits, spaces, dashes and dots")
	errAcctCheckDigit    = errors.New("check digit is wrong")
	errAcctZero          = errors.New("must not be all zeros")
	errAcctClearingEmpty = errors.New("clearing number must not be empty")
	errAcctClearingLen   = errors.New("clearing number must be 4 digits, or 5 for Swedbank 8xxx-x")
	errAcctClearingCheck = errors.New("clearing number check digit is wrong")
	errAcctClearing      = errors.New("unknown clearing number")
	errAcctNumberEmpty   = errors.New("account number must not be empty")
	errAcctNumberLen7    = errors.New("account number must be 7 digits")
	errAcctNumberLen10   = errors.New("account number must be 10 digits")
	errAcctNumberUpTo9   = errors.New("account number must be 5 to 9 digits")
	errAcctNumberUpTo10  = errors.New("account number must be 5 to 10 digits")
	errAcctNoShape       = errors.New("must be a clearing number followed by an account number")
	errAcctNOLen         = errors.New("must be 11 digits")
	errAcctNOChars       = errors.New("must contain only digits, spaces and dots")
	errGiroBankgiroLen   = errors.New("must be 7 or 8 digits")
	errGiroPlusgiroLen   = errors.New("must be 2 to 8 digits")
	errGiroLeadingZero   = errors.New("must not start with 0")
	errAcctInputTooLong  = errors.New("is too long")
)

// acctMaxInput bounds what the account parsers look at: the longest valid input, an account
// number with a separator between every digit, is well below it.
const acctMaxInput = 64

// acctDigits returns s without its separators (space, dash, dot), or an error when anything
// else is in it.
func acctDigits(s string) (digits string, err error) {
	if len(s) > acctMaxInput {
		return "", errAcctInputTooLong
	}
	var b [acctMaxInput]byte
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b[n] = c
			n++
		case c == ' ' || c == '-' || c == '.':
		default:
			return "", errAcctChars
		}
	}
	if n == len(s) {
		return s, nil
	}
	return string(b[:n]), nil
}

// acctMod11 reports whether d passes the Swedish banks' mod 11 check: the weights are
// 1, 2, ..., 10 from the right and start again at 1 (Bankgirot writes them 1, 10, 9, ..., 2, 1
// for the 11 digits of a type 1 account), and the weighted sum must be divisible by 11.
func acctMod11(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		w := (len(d)-1-i)%10 + 1
		sum += int(d[i]-'0') * w
	}
	return sum%11 == 0
}

// acctAllZero reports whether d holds only zeros.
func acctAllZero(d string) bool {
	for i := 0; i < len(d); i++ {
		if d[i] != '0' {
			return false
		}
	}
	return true
}
