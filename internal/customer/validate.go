package customer

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kund/kund/internal/nordic"
)

// Languages a customer may prefer (the seed's preferredLanguageCode values).
var Languages = []string{"SV", "NO", "DA", "FI", "EN"}

// Opt is one property of a PATCH request that was present: either null
// (remove it) or a value.
type Opt[T any] struct {
	Null  bool
	Value T
}

// Set returns an Opt holding v.
func Set[T any](v T) *Opt[T] { return &Opt[T]{Value: v} }

// Null returns an Opt that removes the property.
func Null[T any]() *Opt[T] { return &Opt[T]{Null: true} }

// NationalIDInput is a nationalIdentifier as sent.
type NationalIDInput struct {
	RegNo       string
	CountryCode string
}

// EDIInput is an eDIAddressInfo as sent.
type EDIInput struct {
	VAN                  string
	InterchangeRecipient string
	BuyerID              string
}

// AddressInput is a legal or billing address as sent.
type AddressInput struct {
	Addressee     string
	StreetAddress string
	CoAddress     string
	City          string
	ZipCode       string
	CountryCode   string
}

// Validate checks an address as sent and returns it normalised.
func (in *AddressInput) Validate() (Address, error) {
	var p Problems
	a := in.validate(&p, "")
	return a, p.Err()
}

func (in *AddressInput) validate(p *Problems, prefix string) Address {
	a := Address{
		Addressee:     text(p, prefix+"addressee", in.Addressee, 72, true),
		StreetAddress: text(p, prefix+"streetAddress", in.StreetAddress, 72, false),
		CoAddress:     text(p, prefix+"coAddress", in.CoAddress, 72, false),
		City:          text(p, prefix+"city", in.City, 27, true),
		CountryCode:   country(p, prefix+"countryCode", in.CountryCode),
	}
	zip := strings.TrimSpace(in.ZipCode)
	switch {
	case zip == "":
		p.Add(prefix+"zipCode", "is required")
	case a.CountryCode == "":
		// The format depends on the country, which is already reported.
	default:
		z, err := nordic.ParsePostalCode(a.CountryCode, zip)
		if err != nil {
			p.Add(prefix+"zipCode", err.Error())
		}
		a.ZipCode = z
	}
	return a
}

// ValidateNationalID checks a nationalIdentifier as sent (find-customer and
// other lookups) and returns it in canonical form.
func ValidateNationalID(in *NationalIDInput, now time.Time) (*NationalID, error) {
	var p Problems
	if in == nil {
		p.Add("nationalIdentifier", "is required")
		return nil, p.Err()
	}
	id, _ := validateNationalID(&p, "nationalIdentifier", in, now)
	return id, p.Err()
}

func validateNationalID(p *Problems, field string, in *NationalIDInput, now time.Time) (*NationalID, nordic.Kind) {
	cc := country(p, field+".countryCode", in.CountryCode)
	reg := strings.TrimSpace(in.RegNo)
	if reg == "" {
		p.Add(field+".regNo", "is required")
		return nil, 0
	}
	if cc == "" {
		return nil, 0
	}
	if !nordic.IdentityCountry(cc) {
		// Numbers of other countries are kept as given: Kund cannot check them.
		if len(reg) > 30 || strings.IndexFunc(reg, func(r rune) bool {
			return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" +-./", r)))
		}) >= 0 {
			p.Add(field+".regNo", "must be at most 30 letters, digits, spaces or + - . /")
			return nil, 0
		}
		return &NationalID{RegNo: strings.ToUpper(reg), CountryCode: cc}, nordic.Person
	}
	canon, kind, err := nordic.ParseIdentity(cc, reg, now)
	if err != nil {
		p.Add(field+".regNo", err.Error())
		return nil, 0
	}
	return &NationalID{RegNo: canon, CountryCode: cc}, kind
}

func validateEDI(p *Problems, e *EDI) *EDI {
	const f = "eDIAddressInfo."
	e.VAN = text(p, f+"VAN", e.VAN, 255, false)
	e.InterchangeRecipient = text(p, f+"InterChangeRecipient", e.InterchangeRecipient, 13, false)
	e.BuyerID = text(p, f+"BuyerId", e.BuyerID, 13, true)
	return e
}

// CheckCustomerNo returns what is wrong with a customer number, or "".
func CheckCustomerNo(no string) string {
	if no == "" {
		return "is required"
	}
	if len(no) > 15 {
		return "must be at most 15 digits"
	}
	for i := 0; i < len(no); i++ {
		if no[i] < '0' || no[i] > '9' {
			return "must be digits only"
		}
	}
	return ""
}

// text trims s and checks its length in characters and that it is text a
// person can read (CheckText).
func text(p *Problems, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			p.Add(field, "is required")
		}
		return ""
	}
	if n := utf8.RuneCountInString(s); n > max {
		p.Addf(field, "must be at most %d characters", max)
	} else if msg := CheckText(s); msg != "" {
		p.Add(field, msg)
	}
	return s
}

// CheckText returns what is wrong with a text that people read (a name, an
// address line, an e-mail address, a free-text answer), or "". The text
// must be valid UTF-8 without a rune of the categories Cc (control
// characters), Cf (format characters: bidi controls such as U+202E,
// zero-width characters, the byte order mark, the soft hyphen, tags), Zl
// (U+2028) or Zp (U+2029), nor any code point of the tag block
// U+E0000-U+E007F, assigned or not. Such runes are invisible or reorder and
// break the text around them, so that what a person is shown is not what
// was stored. Every check of free text in Kund is this one.
func CheckText(s string) string {
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if r < ' ' || r == 0x7f {
				return invisible(r)
			}
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return "must be valid UTF-8"
			}
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp), 0xE0000 <= r && r <= 0xE007F:
			return invisible(r)
		}
	}
	return ""
}

func invisible(r rune) string {
	return fmt.Sprintf("must not contain invisible or control characters (%U)", r)
}

func email(p *Problems, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if msg := CheckEmail(s); msg != "" {
		p.Add(field, msg)
	}
	return s
}

// CheckEmail returns what is wrong with an e-mail address, or "". The rule is
// the seed's ([^@]+@[^.]+\..+) with the limits of RFC 5321: at most 254
// characters, a local part of at most 64, no white space, nothing CheckText
// refuses, and a domain of non-empty labels.
func CheckEmail(s string) string {
	if utf8.RuneCountInString(s) > 254 {
		return "must be at most 254 characters"
	}
	if msg := CheckText(s); msg != "" {
		return msg
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "must not contain spaces"
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || strings.Count(s, "@") != 1 {
		return "must be an e-mail address (name@domain.tld)"
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return "the part before @ must be at most 64 characters"
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "must be an e-mail address (name@domain.tld)"
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return "the domain is not valid"
		}
	}
	return ""
}

func vat(p *Problems, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	v, err := nordic.ParseVAT(s)
	if err != nil {
		p.Add(field, err.Error())
	}
	return v
}

func msisdn(p *Problems, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	m, err := nordic.ParseMSISDN(s)
	if err != nil {
		p.Add(field, err.Error())
	}
	return m
}

func language(p *Problems, field, s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	for _, l := range Languages {
		if s == l {
			return s
		}
	}
	p.Add(field, "must be one of SV, NO, DA, FI, EN")
	return ""
}

func distribution(p *Problems, field, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return ""
	case strings.EqualFold(s, DistributionPostal):
		return DistributionPostal
	case strings.EqualFold(s, DistributionNone):
		return DistributionNone
	}
	p.Add(field, `must be "postal" or "noDistribution"`)
	return ""
}

func country(p *Problems, field, s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		p.Add(field, "is required")
		return ""
	}
	if !nordic.Country(s) {
		p.Add(field, "must be an ISO 3166-1 alpha-2 country code")
		return ""
	}
	return s
}
