package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kund/kund/internal/customer"
)

// Representations of the native API, with the seed's property names and
// order. Absent optional properties are left out.

type operation struct {
	Rel    string `json:"rel"`
	Method string `json:"method"`
	Href   string `json:"href"`
}

type nationalIDRep struct {
	RegNo       string `json:"regNo"`
	CountryCode string `json:"countryCode"`
}

type ediRep struct {
	VAN                  string `json:"VAN,omitempty"`
	InterChangeRecipient string `json:"InterChangeRecipient,omitempty"`
	BuyerID              string `json:"BuyerId"`
}

type addressRep struct {
	Addressee     string      `json:"addressee"`
	StreetAddress string      `json:"streetAddress,omitempty"`
	CoAddress     string      `json:"coAddress,omitempty"`
	City          string      `json:"city"`
	ZipCode       string      `json:"zipCode"`
	CountryCode   string      `json:"countryCode"`
	Operations    []operation `json:"operations"`
}

type customerRep struct {
	ID                      string         `json:"@id"`
	CustomerNo              string         `json:"customerNo"`
	UUID                    string         `json:"uuid"`
	NationalIdentifier      *nationalIDRep `json:"nationalIdentifier,omitempty"`
	VATNo                   string         `json:"vatNo,omitempty"`
	LegalEntity             string         `json:"legalEntity"`
	Name                    string         `json:"name"`
	EmailAddress            string         `json:"emailAddress,omitempty"`
	ProtectedIdentity       bool           `json:"protectedIdentity"`
	PreferredLanguageCode   string         `json:"preferredLanguageCode,omitempty"`
	LegalStatus             string         `json:"legalStatus"`
	MSISDN                  string         `json:"msisdn,omitempty"`
	DistributionType        string         `json:"distributionType,omitempty"`
	TaxIdentificationNumber string         `json:"taxIdentificationNumber,omitempty"`
	ActiveConsents          []string       `json:"activeConsents"`
	EDIAddressInfo          *ediRep        `json:"eDIAddressInfo,omitempty"`
	LegalAddress            any            `json:"legalAddress"`
	BillingAddress          any            `json:"billingAddress,omitempty"`
	Operations              []operation    `json:"operations"`
}

type createdRep struct {
	ID         string `json:"@id"`
	CustomerNo string `json:"customerNo"`
}

func customerPath(ledgerNo, no string) string {
	return Base + ledgerNo + "/customers/" + no
}

// ops turns rels into operations on the resource at href. The method of
// each rel is fixed by the API.
func ops(href string, rels []string, methods map[string]string) []operation {
	out := make([]operation, 0, len(rels))
	for _, rel := range rels {
		out = append(out, operation{Rel: rel, Method: methods[rel], Href: href})
	}
	return out
}

var (
	customerMethods = map[string]string{customer.RelPartialUpdate: http.MethodPatch, customer.RelAddBilling: http.MethodPost}
	addressMethods  = map[string]string{customer.RelUpdate: http.MethodPut, customer.RelDelete: http.MethodDelete,
		customer.RelUpdateFromRegister: http.MethodPost}
)

func customerOps(caller customer.Caller, l *customer.Ledger, c *customer.Customer) []operation {
	self := customerPath(c.LedgerNo, c.No)
	out := []operation{}
	for _, rel := range customer.CustomerOperations(caller, l, c) {
		href := self
		if rel == customer.RelAddBilling {
			href = self + "/billing-address"
		}
		out = append(out, operation{Rel: rel, Method: customerMethods[rel], Href: href})
	}
	return out
}

func legalAddressRep(caller customer.Caller, l *customer.Ledger, c *customer.Customer) *addressRep {
	a := addressOf(&c.LegalAddress)
	a.Operations = ops(customerPath(c.LedgerNo, c.No)+"/legal-address", customer.LegalAddressOperations(caller, l, c), addressMethods)
	for i := range a.Operations {
		if a.Operations[i].Rel == customer.RelUpdateFromRegister {
			a.Operations[i].Href += "/" + customer.RelUpdateFromRegister
		}
	}
	return a
}

func billingAddressRep(caller customer.Caller, l *customer.Ledger, c *customer.Customer) *addressRep {
	a := addressOf(c.BillingAddress)
	a.Operations = ops(customerPath(c.LedgerNo, c.No)+"/billing-address", customer.BillingAddressOperations(caller, l, c), addressMethods)
	return a
}

func addressOf(a *customer.Address) *addressRep {
	return &addressRep{Addressee: a.Addressee, StreetAddress: a.StreetAddress, CoAddress: a.CoAddress,
		City: a.City, ZipCode: a.ZipCode, CountryCode: a.CountryCode}
}

// expansion says which sub-resources a representation embeds.
type expansion struct{ legal, billing bool }

func representCustomer(caller customer.Caller, l *customer.Ledger, c *customer.Customer, x expansion) *customerRep {
	self := customerPath(c.LedgerNo, c.No)
	rep := &customerRep{
		ID:                      self,
		CustomerNo:              c.No,
		UUID:                    c.UUID,
		VATNo:                   c.VATNo,
		LegalEntity:             c.LegalEntity,
		Name:                    c.Name,
		EmailAddress:            c.Email,
		ProtectedIdentity:       c.ProtectedIdentity,
		PreferredLanguageCode:   c.PreferredLanguage,
		LegalStatus:             c.LegalStatus,
		MSISDN:                  c.MSISDN,
		DistributionType:        c.DistributionType,
		TaxIdentificationNumber: c.TaxIdentificationNumber,
		ActiveConsents:          c.ActiveConsents,
		Operations:              customerOps(caller, l, c),
	}
	if rep.ActiveConsents == nil {
		rep.ActiveConsents = []string{}
	}
	if id := c.NationalID; id != nil {
		rep.NationalIdentifier = &nationalIDRep{RegNo: id.RegNo, CountryCode: id.CountryCode}
	}
	if e := c.EDI; e != nil {
		rep.EDIAddressInfo = &ediRep{VAN: e.VAN, InterChangeRecipient: e.InterchangeRecipient, BuyerID: e.BuyerID}
	}
	if x.legal {
		rep.LegalAddress = legalAddressRep(caller, l, c)
	} else {
		rep.LegalAddress = self + "/legal-address"
	}
	if c.BillingAddress != nil {
		if x.billing {
			rep.BillingAddress = billingAddressRep(caller, l, c)
		} else {
			rep.BillingAddress = self + "/billing-address"
		}
	}
	return rep
}

// navigation is the paging object of the seed's lists.
type navigation struct {
	ID       string `json:"@id"`
	First    string `json:"first"`
	Previous string `json:"previous"`
	Next     string `json:"next,omitempty"`
}

// navigate builds the links of a page: q holds the filters to carry over,
// skip/take the current window, more whether a next page exists.
func navigate(path string, q url.Values, skip, take int, more bool) navigation {
	link := func(skip int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("skip", strconv.Itoa(skip))
		return path + "?" + v.Encode()
	}
	n := navigation{ID: path, First: link(0), Previous: link(max(0, skip-take))}
	if more {
		n.Next = link(skip + take)
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
