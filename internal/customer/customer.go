// Package customer is Kund's domain: ledgers, customers and their addresses,
// the rules that keep them valid, the error codes of the API, and the Store
// the domain needs. It imports no infrastructure.
package customer

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kund/kund/internal/nordic"
)

// Legal entities.
const (
	Consumer = "consumer"
	Business = "business"
)

// Legal statuses.
const (
	StatusActive   = "active"
	StatusDeceased = "deceased"
)

// Sources of a legal address: the population register, or the customer
// (whoever created or changed the customer through the API).
const (
	SourceRegister = "population-register"
	SourceCustomer = "customer"
)

// Distribution types.
const (
	DistributionPostal = "postal"
	DistributionNone   = "noDistribution"
)

// NationalID is a national identity number: a personal number or an
// organisation number, in its country's canonical form.
type NationalID struct {
	RegNo       string
	CountryCode string
}

// EDI is the customer's EDI addressing for e-invoices.
type EDI struct {
	VAN                  string
	InterchangeRecipient string
	BuyerID              string
}

// Address is a postal address. ZipCode is stored without white space and
// CountryCode upper-case.
type Address struct {
	UUID          string // "ADRS" + 10 digits, stable while the address exists
	Addressee     string
	StreetAddress string
	CoAddress     string
	City          string
	ZipCode       string
	CountryCode   string
}

// Customer is the customer master data of one ledger.
type Customer struct {
	LedgerNo                string
	No                      string // customerNo: unique within the ledger
	UUID                    string // "CSRT" + 10 digits, unique everywhere
	NationalID              *NationalID
	VATNo                   string
	LegalEntity             string
	Name                    string
	Email                   string
	ProtectedIdentity       bool
	PreferredLanguage       string
	LegalStatus             string
	MSISDN                  string
	DistributionType        string
	TaxIdentificationNumber string
	EDI                     *EDI
	// Metadata is the ledger's own key/value pairs about the customer
	// (MaxMetadata of them); nil: none.
	Metadata       map[string]string
	ActiveConsents []string
	LegalAddress   Address
	// LegalSource is where the legal address came from (SourceRegister or
	// SourceCustomer), LegalConfirmedAt when the population register last
	// confirmed it (zero: never). Register monitoring replaces only an
	// address the register gave.
	LegalSource      string
	LegalConfirmedAt time.Time
	BillingAddress   *Address
	// KYCDue says that the ledger asks KYC questions and the customer's
	// answers are missing or older than the renewal period. It is not kept
	// with the customer: Service.CheckKYCDue fills it in where operations
	// need it.
	KYCDue bool

	// Version grows by one with every change; the ETag is made from it.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ETag is the entity tag of the customer and of its sub-resources: any
// change to the customer changes it.
func (c *Customer) ETag() string {
	return `"` + strconv.FormatInt(c.Version, 10) + `"`
}

// CheckETag returns a precondition-failed error when ifMatch is given and is
// not the customer's current tag. "*" matches any existing customer.
func (c *Customer) CheckETag(ifMatch string) error {
	if ifMatch == "" || ifMatch == "*" || ifMatch == c.ETag() || ifMatch == "W/"+c.ETag() {
		return nil
	}
	return Errorf(EPRECONDITION, "The customer has changed since it was read (If-Match does not match the current ETag).")
}

// Clone returns a deep copy, so a store can hand out customers that callers
// may change freely.
func (c *Customer) Clone() *Customer {
	cp := *c
	if c.NationalID != nil {
		id := *c.NationalID
		cp.NationalID = &id
	}
	if c.EDI != nil {
		e := *c.EDI
		cp.EDI = &e
	}
	if c.BillingAddress != nil {
		a := *c.BillingAddress
		cp.BillingAddress = &a
	}
	cp.ActiveConsents = slices.Clone(c.ActiveConsents)
	cp.Metadata = maps.Clone(c.Metadata)
	return &cp
}

// addressUUIDs are the uuids of c's addresses (none for a nil c).
func addressUUIDs(c *Customer) []string {
	if c == nil {
		return nil
	}
	u := []string{c.LegalAddress.UUID}
	if c.BillingAddress != nil {
		u = append(u, c.BillingAddress.UUID)
	}
	return u
}

// AddressUUIDChanges says which address uuids a change from old to c
// (old nil: a new customer) brings into use and which it frees, so that a
// store can forget the uuids drawn at random before migration 0014 that it frees.
func AddressUUIDChanges(old, c *Customer) (added, removed []string) {
	before, after := addressUUIDs(old), addressUUIDs(c)
	for _, u := range after {
		if !slices.Contains(before, u) {
			added = append(added, u)
		}
	}
	for _, u := range before {
		if !slices.Contains(after, u) {
			removed = append(removed, u)
		}
	}
	return added, removed
}

// The properties a client sets: the create request, the PATCH, and the
// rules of each property. A new property of a customer is a field of
// Customer, NewCustomer and (if it may change) Patch, and a line in
// Validate and Apply.

// NewCustomer is the body of a create-customer request.
type NewCustomer struct {
	CustomerNo              string
	NationalID              *NationalIDInput
	VATNo                   string
	LegalEntity             string
	Name                    string
	Email                   string
	MSISDN                  string
	PreferredLanguage       string
	ProtectedIdentity       bool
	DistributionType        string
	TaxIdentificationNumber string
	EDI                     *EDIInput
	Metadata                map[string]string
	LegalAddress            *AddressInput
	BillingAddress          *AddressInput

	// fromRegister: the legal address is the population register's
	// (GenerateFromRegister), confirmed when the customer is created.
	fromRegister bool
}

// Patch is a PATCH of a customer: nil properties were absent, and only the
// seed's patchable properties exist.
type Patch struct {
	Email                   *Opt[string]
	LegalStatus             *Opt[string]
	PreferredLanguage       *Opt[string]
	ProtectedIdentity       *Opt[bool]
	MSISDN                  *Opt[string]
	DistributionType        *Opt[string]
	TaxIdentificationNumber *Opt[string]
	EDI                     *Opt[EDIPatch]
	// Metadata merges key by key: a nil value removes its key, Null all.
	Metadata *Opt[map[string]*string]
}

// EDIPatch patches eDIAddressInfo property by property (merge semantics).
type EDIPatch struct {
	VAN                  *Opt[string]
	InterchangeRecipient *Opt[string]
	BuyerID              *Opt[string]
}

// Validate checks a create request against the ledger's rules and returns
// the normalised customer it describes (without number or uuids when those
// are generated).
func (in *NewCustomer) Validate(l *Ledger, now time.Time) (*Customer, error) {
	var p Problems
	c := &Customer{LedgerNo: l.No, LegalStatus: StatusActive, ActiveConsents: []string{}}

	no := strings.TrimSpace(in.CustomerNo)
	switch {
	case l.CustomerNumbers == NumbersGenerated && no != "":
		p.Add("customerNo", "must not be sent: this ledger generates customer numbers")
	case l.CustomerNumbers == NumbersGenerated && in.NationalID == nil:
		p.Add("nationalIdentifier", "is required: this ledger generates customer numbers")
	case l.CustomerNumbers != NumbersGenerated:
		if msg := CheckCustomerNo(no); msg != "" {
			p.Add("customerNo", msg)
		}
	}
	c.No = no

	var kind nordic.Kind
	if in.NationalID != nil {
		c.NationalID, kind = validateNationalID(&p, "nationalIdentifier", in.NationalID, now)
	}
	c.LegalEntity = strings.ToLower(strings.TrimSpace(in.LegalEntity))
	switch c.LegalEntity {
	case Consumer:
		if kind == nordic.Organisation {
			p.Add("legalEntity", "a consumer cannot be identified by an organisation number")
		}
	case Business:
	case "":
		c.LegalEntity = Consumer
		if kind == nordic.Organisation {
			c.LegalEntity = Business
		}
	default:
		p.Add("legalEntity", `must be "consumer" or "business"`)
	}

	c.Name = text(&p, "name", in.Name, 72, true)
	c.VATNo = vat(&p, "vatNo", in.VATNo)
	c.Email = email(&p, "emailAddress", in.Email)
	c.MSISDN = msisdn(&p, "msisdn", in.MSISDN)
	c.PreferredLanguage = language(&p, "preferredLanguageCode", in.PreferredLanguage)
	c.ProtectedIdentity = in.ProtectedIdentity
	c.DistributionType = distribution(&p, "distributionType", in.DistributionType)
	c.TaxIdentificationNumber = text(&p, "taxIdentificationNumber", in.TaxIdentificationNumber, 20, false)
	if in.EDI != nil {
		c.EDI = validateEDI(&p, &EDI{VAN: in.EDI.VAN, InterchangeRecipient: in.EDI.InterchangeRecipient, BuyerID: in.EDI.BuyerID})
	}
	c.Metadata = metadata(&p, in.Metadata)
	if in.LegalAddress == nil {
		p.Add("legalAddress", "is required")
	} else {
		c.LegalAddress = in.LegalAddress.validate(&p, "legalAddress.")
	}
	c.LegalSource = SourceCustomer
	if in.fromRegister {
		c.LegalSource, c.LegalConfirmedAt = SourceRegister, now
	}
	if in.BillingAddress != nil {
		a := in.BillingAddress.validate(&p, "billingAddress.")
		c.BillingAddress = &a
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Apply validates the patch and applies it to c.
func (pt *Patch) Apply(c *Customer) error {
	var p Problems
	if o := pt.Email; o != nil {
		c.Email = ""
		if !o.Null {
			c.Email = email(&p, "emailAddress", o.Value)
		}
	}
	if o := pt.LegalStatus; o != nil {
		switch {
		case o.Null:
			p.Add("legalStatus", "cannot be removed")
		case o.Value == StatusActive || o.Value == StatusDeceased:
			c.LegalStatus = o.Value
		default:
			p.Add("legalStatus", `must be "active" or "deceased"`)
		}
	}
	if o := pt.PreferredLanguage; o != nil {
		c.PreferredLanguage = ""
		if !o.Null {
			c.PreferredLanguage = language(&p, "preferredLanguageCode", o.Value)
		}
	}
	if o := pt.ProtectedIdentity; o != nil {
		c.ProtectedIdentity = !o.Null && o.Value
	}
	if o := pt.MSISDN; o != nil {
		c.MSISDN = ""
		if !o.Null {
			c.MSISDN = msisdn(&p, "msisdn", o.Value)
		}
	}
	if o := pt.DistributionType; o != nil {
		c.DistributionType = ""
		if !o.Null {
			c.DistributionType = distribution(&p, "distributionType", o.Value)
		}
	}
	if o := pt.TaxIdentificationNumber; o != nil {
		c.TaxIdentificationNumber = ""
		if !o.Null {
			c.TaxIdentificationNumber = text(&p, "taxIdentificationNumber", o.Value, 20, false)
		}
	}
	if o := pt.EDI; o != nil {
		if o.Null {
			c.EDI = nil
		} else {
			c.EDI = o.Value.merge(&p, c.EDI)
		}
	}
	if o := pt.Metadata; o != nil {
		m := map[string]string{}
		if !o.Null {
			maps.Copy(m, c.Metadata)
			for k, v := range o.Value {
				if v == nil {
					delete(m, k)
				} else {
					m[k] = *v
				}
			}
		}
		c.Metadata = metadata(&p, m)
	}
	return p.Err()
}

// Limits of a customer's metadata.
const (
	MaxMetadata      = 20
	MaxMetadataKey   = 40
	MaxMetadataValue = 500
)

// metadata checks a customer's metadata: at most MaxMetadata keys of 1 to
// MaxMetadataKey characters, values of at most MaxMetadataValue, neither
// with invisible or control characters. None is nil.
func metadata(p *Problems, m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	if len(m) > MaxMetadata {
		p.Addf("metadata", "must have at most %d keys", MaxMetadata)
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		field := "metadata." + k
		switch n := utf8.RuneCountInString(k); {
		case strings.TrimSpace(k) == "":
			p.Add("metadata", "keys must not be empty")
		case n > MaxMetadataKey:
			p.Addf(field, "key must be at most %d characters", MaxMetadataKey)
		case CheckText(k) != "":
			p.Add(field, "key "+CheckText(k))
		case utf8.RuneCountInString(m[k]) > MaxMetadataValue:
			p.Addf(field, "must be at most %d characters", MaxMetadataValue)
		case CheckText(m[k]) != "":
			p.Add(field, CheckText(m[k]))
		}
	}
	return m
}

func (ep EDIPatch) merge(p *Problems, cur *EDI) *EDI {
	var e EDI
	if cur != nil {
		e = *cur
	}
	set := func(dst *string, o *Opt[string]) {
		if o != nil {
			*dst = ""
			if !o.Null {
				*dst = o.Value
			}
		}
	}
	set(&e.VAN, ep.VAN)
	set(&e.InterchangeRecipient, ep.InterchangeRecipient)
	set(&e.BuyerID, ep.BuyerID)
	return validateEDI(p, &e)
}
