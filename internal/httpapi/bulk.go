package httpapi

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/kund/kund/internal/customer"
)

// DecodeCreateBody reads one create-customer body exactly as POST
// .../customers does (so `kund import` accepts and refuses the same
// things): a JSON object, every problem reported as a validation error.
func DecodeCreateBody(body []byte) (*customer.NewCustomer, error) {
	var p customer.Problems
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, customer.ValidationError("body", "must be a JSON object")
	}
	if !utf8.Valid(body) {
		return nil, customer.ValidationError("body", "must be valid UTF-8") // as readBody
	}
	o, err := parseObject(body, "", &p)
	if err != nil {
		return nil, err
	}
	in := decodeNewCustomer(o)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// createBody is a customer as a create request, the form `kund export`
// writes and `kund import` reads.
type createBody struct {
	CustomerNo              string         `json:"customerNo"`
	NationalIdentifier      *nationalIDRep `json:"nationalIdentifier,omitempty"`
	VATNo                   string         `json:"vatNo,omitempty"`
	LegalEntity             string         `json:"legalEntity"`
	Name                    string         `json:"name"`
	EmailAddress            string         `json:"emailAddress,omitempty"`
	ProtectedIdentity       bool           `json:"protectedIdentity"`
	PreferredLanguageCode   string         `json:"preferredLanguageCode,omitempty"`
	MSISDN                  string         `json:"msisdn,omitempty"`
	DistributionType        string         `json:"distributionType,omitempty"`
	TaxIdentificationNumber string         `json:"taxIdentificationNumber,omitempty"`
	EDIAddressInfo          *ediRep        `json:"eDIAddressInfo,omitempty"`
	LegalAddress            addressBody    `json:"legalAddress"`
	BillingAddress          *addressBody   `json:"billingAddress,omitempty"`
}

type addressBody struct {
	Addressee     string `json:"addressee"`
	StreetAddress string `json:"streetAddress,omitempty"`
	CoAddress     string `json:"coAddress,omitempty"`
	City          string `json:"city"`
	ZipCode       string `json:"zipCode"`
	CountryCode   string `json:"countryCode"`
}

func addressBodyOf(a customer.Address) addressBody {
	return addressBody{Addressee: a.Addressee, StreetAddress: a.StreetAddress, CoAddress: a.CoAddress,
		City: a.City, ZipCode: a.ZipCode, CountryCode: a.CountryCode}
}

// AppendCreateBody appends c as a one-line create request to buf.
// Properties that a create cannot set (uuid, legal status, consents) are
// not part of it.
func AppendCreateBody(buf []byte, c *customer.Customer) []byte {
	b := createBody{
		CustomerNo: c.No, VATNo: c.VATNo, LegalEntity: c.LegalEntity, Name: c.Name, EmailAddress: c.Email,
		ProtectedIdentity: c.ProtectedIdentity, PreferredLanguageCode: c.PreferredLanguage, MSISDN: c.MSISDN,
		DistributionType: c.DistributionType, TaxIdentificationNumber: c.TaxIdentificationNumber,
		LegalAddress: addressBodyOf(c.LegalAddress),
	}
	if id := c.NationalID; id != nil {
		b.NationalIdentifier = &nationalIDRep{RegNo: id.RegNo, CountryCode: id.CountryCode}
	}
	if e := c.EDI; e != nil {
		b.EDIAddressInfo = &ediRep{VAN: e.VAN, InterChangeRecipient: e.InterchangeRecipient, BuyerID: e.BuyerID}
	}
	if c.BillingAddress != nil {
		a := addressBodyOf(*c.BillingAddress)
		b.BillingAddress = &a
	}
	w := bytes.NewBuffer(buf)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(b) // cannot fail: only strings and bools
	return w.Bytes()
}
