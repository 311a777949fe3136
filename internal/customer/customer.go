// Package customer is Kund's domain: ledgers, customers and their addresses,
// the rules that keep them valid, the error codes of the API, and the Store
// the domain needs. It imports no infrastructure.
package customer

import (
	"slices"
	"strconv"
	"time"
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

// Distribution types.
const (
	DistributionPostal = "postal"
	DistributionNone   = "noDistribution"
)

// Customer-number policies of a ledger.
const (
	NumbersClient    = "client"
	NumbersGenerated = "generated"
)

// Ledger is one PayEx ledger: a tenant of Kund. Every customer belongs to
// exactly one ledger and is reachable only with that ledger's tokens.
type Ledger struct {
	No              string
	Country         string // SE, NO, DK or FI
	CustomerNumbers string // NumbersClient or NumbersGenerated
	CreatedAt       time.Time
	Disbursements   bool          // disbursement orders may be added to surpluses
	KYCQuestions    []KYCQuestion // none: the ledger has no KYC
	KYCRenewalDays  int           // answers older than this are due again; 0: never
	// SessionLookups and SessionTTL limit the Worldline client sessions
	// of the ledger, which visitors' browsers hold: the lookup units one
	// session may spend (a hit costs 1, a miss LookupMissCost) and how long
	// it lives. Zero: DefaultSessionLookups, DefaultSessionTTL.
	SessionLookups int
	SessionTTL     time.Duration
}

// Defaults of a ledger's client sessions. A checkout looks up one person,
// perhaps after a typo or two; a session that spent its units has to be
// replaced by the merchant's server.
const (
	DefaultSessionLookups = 10
	DefaultSessionTTL     = 20 * time.Minute
	// LookupMissCost is what a lookup that finds nobody costs in the
	// lookup limits: enumerating numbers is mostly misses.
	LookupMissCost = 3
)

// SessionQuota is the lookup units one client session of l may spend.
func (l *Ledger) SessionQuota() int {
	if l.SessionLookups > 0 {
		return l.SessionLookups
	}
	return DefaultSessionLookups
}

// SessionLifetime is how long a client session of l lives.
func (l *Ledger) SessionLifetime() time.Duration {
	if l.SessionTTL > 0 {
		return l.SessionTTL
	}
	return DefaultSessionTTL
}

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
	ActiveConsents          []string
	LegalAddress            Address
	BillingAddress          *Address
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
// store can keep address uuids unique.
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
