package httpapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kund/kund/internal/customer"
)

// The bodies every hot route answers (a customer, its addresses, a
// created or found customer, a problem) are appended by hand: encoding/json
// reflecting over representation structs was the largest single cost of the
// HTTP layer in a GET. The output is byte for byte what encoding/json wrote
// for those structs with HTML escaping off, newline included; the property
// tests in jsonout_test.go hold the structs it encoded and compare the two
// on random customers.

// A body is a response body being built. Bodies are pooled, since every
// answer needs one.
type body struct{ b []byte }

// Write lets encoding/json encode into a body.
func (b *body) Write(p []byte) (int, error) {
	b.b = append(b.b, p...)
	return len(p), nil
}

// chunkingSize is the size of net/http's response buffer: a handler's
// answer of at most this many bytes written at once goes out with a
// Content-Length that net/http computes.
const chunkingSize = 2048

// maxPooled bounds the bodies kept for reuse: one that grew past it (a
// long list) is left to the collector rather than held for every answer.
const maxPooled = 64 << 10

var bodyPool = sync.Pool{New: func() any { return &body{b: make([]byte, 0, 2048)} }}

func getBody() *body { return bodyPool.Get().(*body) }

func putBody(b *body) {
	if cap(b.b) > maxPooled {
		return
	}
	b.b = b.b[:0]
	bodyPool.Put(b)
}

// writeJSON writes v as the JSON body of the answer, as encoding/json
// encodes it without HTML escaping, followed by a newline.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b := getBody()
	defer putBody(b)
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return writeBody(w, status, headerJSON, b.b)
}

// writeAppended writes the JSON body that add appends, followed by a
// newline as encoding/json writes it.
func writeAppended(w http.ResponseWriter, status int, add func([]byte) []byte) error {
	b := getBody()
	defer putBody(b)
	b.b = append(add(b.b), '\n')
	return writeBody(w, status, headerJSON, b.b)
}

// writeBody writes a whole body at once. net/http sends Content-Length
// itself for a body that fits its 2 KB buffer, and chunks a larger one;
// so a larger one gets its Content-Length here.
func writeBody(w http.ResponseWriter, status int, contentType []string, body []byte) error {
	h := w.Header()
	h["Content-Type"] = contentType
	if len(body) > chunkingSize {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// appendCustomer appends the representation of c: the seed's property
// names and order, absent optional properties left out, the addresses
// embedded as x says or else linked.
func appendCustomer(b []byte, caller customer.Caller, l *customer.Ledger, c *customer.Customer, x expansion) []byte {
	b = append(b, `{"@id":`...)
	b = appendPath(b, c, "")
	b = appendMember(b, "customerNo", c.No)
	b = appendMember(b, "uuid", c.UUID)
	if id := c.NationalID; id != nil {
		b = append(b, `,"nationalIdentifier":{"regNo":`...)
		b = appendString(b, id.RegNo)
		b = appendMember(b, "countryCode", id.CountryCode)
		b = append(b, '}')
	}
	b = appendOptional(b, "vatNo", c.VATNo)
	b = appendMember(b, "legalEntity", c.LegalEntity)
	b = appendMember(b, "name", c.Name)
	b = appendOptional(b, "emailAddress", c.Email)
	b = append(b, `,"protectedIdentity":`...)
	b = strconv.AppendBool(b, c.ProtectedIdentity)
	b = appendOptional(b, "preferredLanguageCode", c.PreferredLanguage)
	b = appendMember(b, "legalStatus", c.LegalStatus)
	b = appendOptional(b, "msisdn", c.MSISDN)
	b = appendOptional(b, "distributionType", c.DistributionType)
	b = appendOptional(b, "taxIdentificationNumber", c.TaxIdentificationNumber)
	b = append(b, `,"activeConsents":[`...)
	for i, name := range c.ActiveConsents {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, name)
	}
	b = append(b, ']')
	if e := c.EDI; e != nil {
		b = append(b, `,"eDIAddressInfo":{`...)
		if e.VAN != "" {
			b = append(b, `"VAN":`...)
			b = append(appendString(b, e.VAN), ',')
		}
		if e.InterchangeRecipient != "" {
			b = append(b, `"InterChangeRecipient":`...)
			b = append(appendString(b, e.InterchangeRecipient), ',')
		}
		b = append(b, `"BuyerId":`...)
		b = append(appendString(b, e.BuyerID), '}')
	}
	if len(c.Metadata) > 0 {
		b = append(b, `,"metadata":{`...)
		for i, k := range slices.Sorted(maps.Keys(c.Metadata)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, c.Metadata[k])
		}
		b = append(b, '}')
	}
	b = append(b, `,"legalAddress":`...)
	if x.legal {
		b = appendLegalAddress(b, caller, l, c)
	} else {
		b = appendPath(b, c, "/legal-address")
	}
	if c.BillingAddress != nil {
		b = append(b, `,"billingAddress":`...)
		if x.billing {
			b = appendBillingAddress(b, caller, l, c)
		} else {
			b = appendPath(b, c, "/billing-address")
		}
	}
	b = append(b, `,"surpluses":`...)
	b = appendPath(b, c, "/surpluses")
	b = append(b, `,"operations":[`...)
	for i, rel := range customer.CustomerOperations(caller, l, c) {
		suffix := ""
		switch rel {
		case customer.RelAddBilling:
			suffix = "/billing-address"
		case customer.RelUpdateKYC:
			suffix = "/update-kyc-answers"
		}
		b = appendOperation(b, i, rel, customerMethods[rel], c, suffix)
	}
	return append(b, "]}"...)
}

// appendLegalAddress appends the representation of c's legal address.
func appendLegalAddress(b []byte, caller customer.Caller, l *customer.Ledger, c *customer.Customer) []byte {
	b = appendAddressLines(b, &c.LegalAddress)
	b = appendOptional(b, "source", c.LegalSource)
	if !c.LegalConfirmedAt.IsZero() {
		b = append(b, `,"confirmedAt":"`...)
		b = c.LegalConfirmedAt.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	b = append(b, `,"operations":[`...)
	for i, rel := range customer.LegalAddressOperations(caller, l, c) {
		suffix := "/legal-address"
		if rel == customer.RelUpdateFromRegister {
			suffix = "/legal-address/" + customer.RelUpdateFromRegister
		}
		b = appendOperation(b, i, rel, addressMethods[rel], c, suffix)
	}
	return append(b, "]}"...)
}

// appendBillingAddress appends the representation of c's billing address,
// which must exist.
func appendBillingAddress(b []byte, caller customer.Caller, l *customer.Ledger, c *customer.Customer) []byte {
	b = appendAddressMembers(b, c.BillingAddress)
	for i, rel := range customer.BillingAddressOperations(caller, l, c) {
		b = appendOperation(b, i, rel, addressMethods[rel], c, "/billing-address")
	}
	return append(b, "]}"...)
}

// appendAddressMembers appends an address up to the opening of its
// operations.
func appendAddressMembers(b []byte, a *customer.Address) []byte {
	return append(appendAddressLines(b, a), `,"operations":[`...)
}

// appendAddressLines appends an address's opening and its lines.
func appendAddressLines(b []byte, a *customer.Address) []byte {
	b = append(b, `{"addressee":`...)
	b = appendString(b, a.Addressee)
	b = appendOptional(b, "streetAddress", a.StreetAddress)
	b = appendOptional(b, "coAddress", a.CoAddress)
	b = appendMember(b, "city", a.City)
	b = appendMember(b, "zipCode", a.ZipCode)
	return appendMember(b, "countryCode", a.CountryCode)
}

// appendOperation appends the i-th operation of a list: rel with method on
// the resource at c's path followed by suffix.
func appendOperation(b []byte, i int, rel, method string, c *customer.Customer, suffix string) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"rel":`...)
	b = appendString(b, rel)
	b = appendMember(b, "method", method)
	b = append(b, `,"href":`...)
	b = appendPath(b, c, suffix)
	return append(b, '}')
}

// appendCreated appends the answer to a created or found customer: its
// path and number.
func appendCreated(b []byte, c *customer.Customer) []byte {
	b = append(b, `{"@id":`...)
	b = appendPath(b, c, "")
	b = appendMember(b, "customerNo", c.No)
	return append(b, '}')
}

// appendCustomerList appends a page of customers, none of them expanded.
func appendCustomerList(b []byte, caller customer.Caller, l *customer.Ledger, cs []*customer.Customer, nav navigation) []byte {
	b = append(b, `{"items":[`...)
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCustomer(b, caller, l, c, expansion{})
	}
	b = append(b, `],"navigation":`...)
	b = appendNavigation(b, nav)
	return append(b, '}')
}

// appendNavigation appends the paging object of a list.
func appendNavigation(b []byte, n navigation) []byte {
	b = append(b, `{"@id":`...)
	b = appendString(b, n.ID)
	b = appendMember(b, "first", n.First)
	b = appendMember(b, "previous", n.Previous)
	b = appendOptional(b, "next", n.Next)
	return append(b, '}')
}

// appendPath appends as a JSON string the path of c followed by suffix,
// which must be ASCII. Escaping the parts one by one gives what escaping
// the joined path would: each variable part is followed by ASCII, so no
// UTF-8 sequence spans two parts.
func appendPath(b []byte, c *customer.Customer, suffix string) []byte {
	b = append(b, `"`+Base...)
	b = appendEscaped(b, c.LedgerNo)
	b = append(b, "/customers/"...)
	b = appendEscaped(b, c.No)
	b = appendEscaped(b, suffix)
	return append(b, '"')
}

// appendMember appends ,"name":value; name must need no escaping.
func appendMember(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendOptional is appendMember for a property left out when empty
// (omitempty).
func appendOptional(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return appendMember(b, name, value)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendEscaped appends s inside a JSON string with encoding/json's rules
// when HTML escaping is off: '"' and '\\' behind a backslash; the control
// characters \b, \f, \n, \r and \t by those names and the others as
// \u00XX; every byte that is not part of valid UTF-8 as \ufffd; U+2028 and
// U+2029 (line breaks to JavaScript) as \u2028 and \u2029; all else as is.
func appendEscaped(b []byte, s string) []byte {
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[done:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == utf8.RuneError && size == 1:
			esc = `\ufffd`
		case r == '\u2028':
			esc = `\u2028`
		case r == '\u2029':
			esc = `\u2029`
		default:
			i += size
			continue
		}
		b = append(b, s[done:i]...)
		b = append(b, esc...)
		i += size
		done = i
	}
	return append(b, s[done:]...)
}
