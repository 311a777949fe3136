package httpapi

import (
	"encoding/json"
	"time"

	"github.com/kund/kund/internal/customer"
)

// The wire format of the native API, defined once. Requests
// are decoded into these types by their json tags (decodeInto, strict:
// letter case ignored, unknown and duplicated properties reported, fields
// tagged refuse refused); responses are these types as encoding/json
// writes them. The hot answers are appended by hand (jsonout.go), which
// the property tests of jsonout_test.go prove byte for byte equal to
// encoding/json of these types.

// nationalIDBody is a nationalIdentifier, in requests and answers.
type nationalIDBody struct {
	RegNo       string `json:"regNo"`
	CountryCode string `json:"countryCode"`
}

func (b *nationalIDBody) input() *customer.NationalIDInput {
	if b == nil {
		return nil
	}
	return &customer.NationalIDInput{RegNo: b.RegNo, CountryCode: b.CountryCode}
}

// ediBody is an eDIAddressInfo, with the seed's own letter case.
type ediBody struct {
	VAN                  string `json:"VAN,omitempty"`
	InterChangeRecipient string `json:"InterChangeRecipient,omitempty"`
	BuyerID              string `json:"BuyerId"`
}

// addressBody is an address as a request sends it.
type addressBody struct {
	Addressee     string `json:"addressee"`
	StreetAddress string `json:"streetAddress,omitempty"`
	CoAddress     string `json:"coAddress,omitempty"`
	City          string `json:"city"`
	ZipCode       string `json:"zipCode"`
	CountryCode   string `json:"countryCode"`
}

func (b *addressBody) input() *customer.AddressInput {
	if b == nil {
		return nil
	}
	return &customer.AddressInput{Addressee: b.Addressee, StreetAddress: b.StreetAddress, CoAddress: b.CoAddress,
		City: b.City, ZipCode: b.ZipCode, CountryCode: b.CountryCode}
}

func addressBodyOf(a customer.Address) addressBody {
	return addressBody{Addressee: a.Addressee, StreetAddress: a.StreetAddress, CoAddress: a.CoAddress,
		City: a.City, ZipCode: a.ZipCode, CountryCode: a.CountryCode}
}

// createRequest is the body of POST .../customers, and the line of
// `kund export` and `kund import`.
type createRequest struct {
	CustomerNo              string            `json:"customerNo"`
	NationalIdentifier      *nationalIDBody   `json:"nationalIdentifier,omitempty"`
	VATNo                   string            `json:"vatNo,omitempty"`
	LegalEntity             string            `json:"legalEntity"`
	Name                    string            `json:"name"`
	EmailAddress            string            `json:"emailAddress,omitempty"`
	ProtectedIdentity       bool              `json:"protectedIdentity"`
	PreferredLanguageCode   string            `json:"preferredLanguageCode,omitempty"`
	MSISDN                  string            `json:"msisdn,omitempty"`
	DistributionType        string            `json:"distributionType,omitempty"`
	TaxIdentificationNumber string            `json:"taxIdentificationNumber,omitempty"`
	EDIAddressInfo          *ediBody          `json:"eDIAddressInfo,omitempty"`
	Metadata                map[string]string `json:"metadata,omitempty"`
	LegalAddress            *addressBody      `json:"legalAddress"`
	BillingAddress          *addressBody      `json:"billingAddress,omitempty"`

	_ refused `property:"legalStatus" refuse:"cannot be set when a customer is created"`
	_ refused `property:"activeConsents" refuse:"cannot be set when a customer is created"`
	_ refused `property:"uuid" refuse:"is assigned by Kund"`
}

func (b *createRequest) input() *customer.NewCustomer {
	in := &customer.NewCustomer{
		CustomerNo: b.CustomerNo, NationalID: b.NationalIdentifier.input(), VATNo: b.VATNo, LegalEntity: b.LegalEntity,
		Name: b.Name, Email: b.EmailAddress, MSISDN: b.MSISDN, PreferredLanguage: b.PreferredLanguageCode,
		ProtectedIdentity: b.ProtectedIdentity, DistributionType: b.DistributionType,
		TaxIdentificationNumber: b.TaxIdentificationNumber, Metadata: b.Metadata,
		LegalAddress: b.LegalAddress.input(), BillingAddress: b.BillingAddress.input(),
	}
	if e := b.EDIAddressInfo; e != nil {
		in.EDI = &customer.EDIInput{VAN: e.VAN, InterchangeRecipient: e.InterChangeRecipient, BuyerID: e.BuyerID}
	}
	return in
}

// createRequestOf is c as the create request that would make it again
// (`kund export`): what a create cannot set (uuid, legal status, consents)
// is left out.
func createRequestOf(c *customer.Customer) *createRequest {
	legal := addressBodyOf(c.LegalAddress)
	b := &createRequest{
		CustomerNo: c.No, VATNo: c.VATNo, LegalEntity: c.LegalEntity, Name: c.Name, EmailAddress: c.Email,
		ProtectedIdentity: c.ProtectedIdentity, PreferredLanguageCode: c.PreferredLanguage, MSISDN: c.MSISDN,
		DistributionType: c.DistributionType, TaxIdentificationNumber: c.TaxIdentificationNumber,
		Metadata: c.Metadata, LegalAddress: &legal,
	}
	if id := c.NationalID; id != nil {
		b.NationalIdentifier = &nationalIDBody{RegNo: id.RegNo, CountryCode: id.CountryCode}
	}
	if e := c.EDI; e != nil {
		b.EDIAddressInfo = &ediBody{VAN: e.VAN, InterChangeRecipient: e.InterchangeRecipient, BuyerID: e.BuyerID}
	}
	if c.BillingAddress != nil {
		a := addressBodyOf(*c.BillingAddress)
		b.BillingAddress = &a
	}
	return b
}

// patchRequest is the body of PATCH .../customers/{no}: an absent property
// stays as it is, null removes it.
type patchRequest struct {
	EmailAddress            *customer.Opt[string]       `json:"emailAddress"`
	LegalStatus             *customer.Opt[string]       `json:"legalStatus"`
	PreferredLanguageCode   *customer.Opt[string]       `json:"preferredLanguageCode"`
	ProtectedIdentity       *customer.Opt[bool]         `json:"protectedIdentity"`
	MSISDN                  *customer.Opt[string]       `json:"msisdn"`
	DistributionType        *customer.Opt[string]       `json:"distributionType"`
	TaxIdentificationNumber *customer.Opt[string]       `json:"taxIdentificationNumber"`
	EDIAddressInfo          *customer.Opt[ediPatchBody] `json:"eDIAddressInfo"`
	// metadata merges key by key: null removes a key, or all of them.
	Metadata *customer.Opt[map[string]*string] `json:"metadata"`

	_ refused `property:"customerNo" refuse:"cannot be changed with PATCH"`
	_ refused `property:"nationalIdentifier" refuse:"cannot be changed with PATCH"`
	_ refused `property:"vatNo" refuse:"cannot be changed with PATCH"`
	_ refused `property:"legalEntity" refuse:"cannot be changed with PATCH"`
	_ refused `property:"name" refuse:"cannot be changed with PATCH"`
	_ refused `property:"activeConsents" refuse:"cannot be changed with PATCH"`
	_ refused `property:"uuid" refuse:"cannot be changed with PATCH"`
	_ refused `property:"legalAddress" refuse:"cannot be changed with PATCH"`
	_ refused `property:"billingAddress" refuse:"cannot be changed with PATCH"`
}

// ediPatchBody patches an eDIAddressInfo property by property.
type ediPatchBody struct {
	VAN                  *customer.Opt[string] `json:"VAN"`
	InterChangeRecipient *customer.Opt[string] `json:"InterChangeRecipient"`
	BuyerID              *customer.Opt[string] `json:"BuyerId"`
}

func (b *patchRequest) patch() *customer.Patch {
	p := &customer.Patch{
		Email: b.EmailAddress, LegalStatus: b.LegalStatus, PreferredLanguage: b.PreferredLanguageCode,
		ProtectedIdentity: b.ProtectedIdentity, MSISDN: b.MSISDN, DistributionType: b.DistributionType,
		TaxIdentificationNumber: b.TaxIdentificationNumber, Metadata: b.Metadata,
	}
	switch e := b.EDIAddressInfo; {
	case e == nil:
	case e.Null:
		p.EDI = customer.Null[customer.EDIPatch]()
	default:
		p.EDI = customer.Set(customer.EDIPatch{VAN: e.Value.VAN, InterchangeRecipient: e.Value.InterChangeRecipient, BuyerID: e.Value.BuyerID})
	}
	return p
}

// findRequest is the body of find-customer.
type findRequest struct {
	NationalIdentifier *nationalIDBody `json:"nationalIdentifier"`
}

// generateRequest is the body of generate-consumer-customer-by-reg-no:
// everything but the name and the legal address, which the register gives.
type generateRequest struct {
	CustomerNo         string          `json:"customerNo"`
	NationalIdentifier *nationalIDBody `json:"nationalIdentifier"`
	EmailAddress       string          `json:"emailAddress"`
	MSISDN             string          `json:"msisdn"`

	_ refused `property:"name" refuse:"is taken from the population register"`
	_ refused `property:"legalAddress" refuse:"is taken from the population register"`
}

func (b *generateRequest) input() *customer.GenerateRequest {
	return &customer.GenerateRequest{CustomerNo: b.CustomerNo, NationalID: b.NationalIdentifier.input(), Email: b.EmailAddress, MSISDN: b.MSISDN}
}

// emptyRequest is a body that must be empty or {}.
type emptyRequest struct{}

// customerRep is a customer as the API answers it: the seed's property
// names and order, absent optional properties left out, the addresses
// embedded (addressRep) or linked (their path).
type customerRep struct {
	ID                      string            `json:"@id"`
	CustomerNo              string            `json:"customerNo"`
	UUID                    string            `json:"uuid"`
	NationalIdentifier      *nationalIDBody   `json:"nationalIdentifier,omitempty"`
	VATNo                   string            `json:"vatNo,omitempty"`
	LegalEntity             string            `json:"legalEntity"`
	Name                    string            `json:"name"`
	EmailAddress            string            `json:"emailAddress,omitempty"`
	ProtectedIdentity       bool              `json:"protectedIdentity"`
	PreferredLanguageCode   string            `json:"preferredLanguageCode,omitempty"`
	LegalStatus             string            `json:"legalStatus"`
	MSISDN                  string            `json:"msisdn,omitempty"`
	DistributionType        string            `json:"distributionType,omitempty"`
	TaxIdentificationNumber string            `json:"taxIdentificationNumber,omitempty"`
	ActiveConsents          []string          `json:"activeConsents"`
	EDIAddressInfo          *ediBody          `json:"eDIAddressInfo,omitempty"`
	Metadata                map[string]string `json:"metadata,omitempty"`
	LegalAddress            any               `json:"legalAddress"`
	BillingAddress          any               `json:"billingAddress,omitempty"`
	Surpluses               string            `json:"surpluses"`
	// Operations is nil (left out) only in the journal's events.
	Operations []operation `json:"operations,omitzero"`
}

// addressRep is an address as the API answers it, with its operations.
type addressRep struct {
	Addressee     string `json:"addressee"`
	StreetAddress string `json:"streetAddress,omitempty"`
	CoAddress     string `json:"coAddress,omitempty"`
	City          string `json:"city"`
	ZipCode       string `json:"zipCode"`
	CountryCode   string `json:"countryCode"`
	// Source and ConfirmedAt are the legal address's provenance; a
	// billing address has neither.
	Source      string      `json:"source,omitempty"`
	ConfirmedAt string      `json:"confirmedAt,omitempty"`
	Operations  []operation `json:"operations,omitzero"`
}

// createdRep answers a create (and find-customer).
type createdRep struct {
	ID         string `json:"@id"`
	CustomerNo string `json:"customerNo"`
}

// listRep is a page of customers.
type listRep struct {
	Items      []*customerRep `json:"items"`
	Navigation navigation     `json:"navigation"`
}

// problemRep is an application/problem+json body.
type problemRep struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Instance string              `json:"instance"`
	Problems []map[string]string `json:"problems"`
}

// represent maps c to its representation for caller: the operations it may
// do now, the addresses as x says.
func represent(caller customer.Caller, l *customer.Ledger, c *customer.Customer, x expansion) *customerRep {
	self := customerPath(c.LedgerNo, c.No)
	rep := representData(c)
	rep.Operations = customerOps(caller, l, c)
	if x.legal {
		rep.LegalAddress = representLegal(caller, l, c)
	} else {
		rep.LegalAddress = self + "/legal-address"
	}
	if c.BillingAddress != nil {
		if x.billing {
			rep.BillingAddress = representBilling(caller, l, c)
		} else {
			rep.BillingAddress = self + "/billing-address"
		}
	}
	return rep
}

// representData is c without operations, its addresses embedded: what a
// client can do left out, as the journal shows a customer.
func representData(c *customer.Customer) *customerRep {
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
		Metadata:                c.Metadata,
		Surpluses:               self + "/surpluses",
		LegalAddress:            legalRepOf(c),
	}
	if rep.ActiveConsents == nil {
		rep.ActiveConsents = []string{}
	}
	if id := c.NationalID; id != nil {
		rep.NationalIdentifier = &nationalIDBody{RegNo: id.RegNo, CountryCode: id.CountryCode}
	}
	if e := c.EDI; e != nil {
		rep.EDIAddressInfo = &ediBody{VAN: e.VAN, InterChangeRecipient: e.InterchangeRecipient, BuyerID: e.BuyerID}
	}
	if c.BillingAddress != nil {
		rep.BillingAddress = addressRepOf(c.BillingAddress)
	}
	return rep
}

func customerOps(caller customer.Caller, l *customer.Ledger, c *customer.Customer) []operation {
	self := customerPath(c.LedgerNo, c.No)
	out := []operation{}
	for _, rel := range customer.CustomerOperations(caller, l, c) {
		href := self
		if rel == customer.RelAddBilling {
			href = self + "/billing-address"
		}
		if rel == customer.RelUpdateKYC {
			href = self + "/update-kyc-answers"
		}
		out = append(out, operation{Rel: rel, Method: customerMethods[rel], Href: href})
	}
	return out
}

// representLegal is the legal address with its operations; the register
// update's own address is the seed's longer one.
func representLegal(caller customer.Caller, l *customer.Ledger, c *customer.Customer) *addressRep {
	a := legalRepOf(c)
	a.Operations = ops(customerPath(c.LedgerNo, c.No)+"/legal-address", customer.LegalAddressOperations(caller, l, c), addressMethods)
	for i := range a.Operations {
		if a.Operations[i].Rel == customer.RelUpdateFromRegister {
			a.Operations[i].Href += "/" + customer.RelUpdateFromRegister
		}
	}
	return a
}

func representBilling(caller customer.Caller, l *customer.Ledger, c *customer.Customer) *addressRep {
	a := addressRepOf(c.BillingAddress)
	a.Operations = ops(customerPath(c.LedgerNo, c.No)+"/billing-address", customer.BillingAddressOperations(caller, l, c), addressMethods)
	return a
}

// legalRepOf is c's legal address with where it came from and when the
// register last confirmed it.
func legalRepOf(c *customer.Customer) *addressRep {
	a := addressRepOf(&c.LegalAddress)
	a.Source = c.LegalSource
	if !c.LegalConfirmedAt.IsZero() {
		a.ConfirmedAt = c.LegalConfirmedAt.UTC().Format(time.RFC3339Nano)
	}
	return a
}

func addressRepOf(a *customer.Address) *addressRep {
	return &addressRep{Addressee: a.Addressee, StreetAddress: a.StreetAddress, CoAddress: a.CoAddress,
		City: a.City, ZipCode: a.ZipCode, CountryCode: a.CountryCode}
}

// The other resources of a customer, and of a ledger.

// surplusRequest is the body of POST .../surpluses, the ledger's feed.
type surplusRequest struct {
	SurplusID string  `json:"surplusId"`
	Balance   decimal `json:"balance"`
	Currency  string  `json:"currency"`
	Date      string  `json:"date"`
	Status    string  `json:"status"`
	Invoice   string  `json:"invoice"`
	Account   string  `json:"account"`
}

func (b *surplusRequest) input() *customer.SurplusInput {
	return &customer.SurplusInput{SurplusID: b.SurplusID, Balance: string(b.Balance), Currency: b.Currency, Date: b.Date,
		Status: b.Status, Invoice: b.Invoice, Account: b.Account}
}

type surplusRep struct {
	SurplusID  string      `json:"surplusId"`
	Balance    json.Number `json:"balance"`
	Currency   string      `json:"currency"`
	Date       string      `json:"date"`
	Status     string      `json:"status"`
	Invoice    string      `json:"invoice,omitempty"`
	Account    string      `json:"account,omitempty"`
	Operations []operation `json:"operations"`
	ID         string      `json:"@id"`
}

// surplusListRep is a page of surpluses.
type surplusListRep struct {
	Items      []*surplusRep `json:"items"`
	Navigation navigation    `json:"navigation"`
}

// disbursementRequest is the body of POST .../active-disbursement-orders:
// exactly one of the four kinds of account.
type disbursementRequest struct {
	NorwegianBankAccount *struct {
		AccountNo string `json:"accountNo"`
	} `json:"norwegianBankAccount"`
	SwedishBankAccount *struct {
		ClearingNo  string `json:"clearingNo"`
		AccountNo   string `json:"accountNo"`
		AccountType string `json:"accountType"`
	} `json:"swedishBankAccount"`
	International *struct {
		IBAN string `json:"iban"`
		BIC  string `json:"bic"`
	} `json:"international"`
	SwedishSus *struct {
		NationalIdentifier *nationalIDBody `json:"nationalIdentifier"`
		Address            *addressBody    `json:"address"`
	} `json:"swedishSus"`
}

func (b *disbursementRequest) input() *customer.DisbursementInput {
	in := &customer.DisbursementInput{}
	if n := b.NorwegianBankAccount; n != nil {
		in.Norwegian = &struct{ AccountNo string }{n.AccountNo}
	}
	if se := b.SwedishBankAccount; se != nil {
		in.Swedish = &struct{ ClearingNo, AccountNo, AccountType string }{se.ClearingNo, se.AccountNo, se.AccountType}
	}
	if i := b.International; i != nil {
		in.Intl = &struct{ IBAN, BIC string }{i.IBAN, i.BIC}
	}
	if sus := b.SwedishSus; sus != nil {
		in.SUS = &struct {
			NationalID *customer.NationalIDInput
			Address    *customer.AddressInput
		}{sus.NationalIdentifier.input(), sus.Address.input()}
	}
	return in
}

type orderRep struct {
	Operations    []operation                    `json:"operations,omitzero"` // nil only in the journal`
	Norwegian     *customer.NorwegianAccount     `json:"norwegianBankAccount,omitempty"`
	Swedish       *customer.SwedishAccount       `json:"swedishBankAccount,omitempty"`
	International *customer.InternationalAccount `json:"international,omitempty"`
	SUS           *susRep                        `json:"swedishSus,omitempty"`
}

type susRep struct {
	NationalIdentifier nationalIDBody `json:"nationalIdentifier"`
	Address            addressBody    `json:"address"`
}

// orderListRep is the active disbursement orders of a surplus.
type orderListRep struct {
	Items      []*orderRep `json:"items"`
	Navigation selfRep     `json:"navigation"`
}

// selfRep is a navigation of one page, which names only itself.
type selfRep struct {
	ID string `json:"@id"`
}

// kycAnswersRequest is the body of POST .../update-kyc-answers.
type kycAnswersRequest struct {
	Answers []struct {
		QuestionCode string `json:"questionCode"`
		AnswerCode   string `json:"answerCode"`
	} `json:"answers"`
}

func (b *kycAnswersRequest) answers() []customer.KYCAnswer {
	if b.Answers == nil {
		return nil
	}
	out := make([]customer.KYCAnswer, 0, len(b.Answers))
	for _, a := range b.Answers {
		out = append(out, customer.KYCAnswer{QuestionCode: a.QuestionCode, AnswerCode: a.AnswerCode})
	}
	return out
}

type kycQuestionRep struct {
	QuestionText string           `json:"questionText"`
	Answer       kycAnswerRep     `json:"answer"`
	QuestionCode string           `json:"questionCode"`
	SubQuestions []kycQuestionRep `json:"subQuestions,omitempty"`
	AskedWhen    []string         `json:"askedWhen,omitempty"`
}

type kycAnswerRep struct {
	Type                string              `json:"type"`
	Required            bool                `json:"required"`
	TextValidationRegEx *string             `json:"textValidationRegEx,omitempty"`
	PossibleAnswers     []possibleAnswerRep `json:"possibleAnswers"`
}

type possibleAnswerRep struct {
	AnswerCode string `json:"answerCode"`
	AnswerText string `json:"answerText"`
}

// kycQuestionsRep is a ledger's KYC questions in one language.
type kycQuestionsRep struct {
	KYCQuestions []kycQuestionRep `json:"kycQuestions"`
	Operations   []operation      `json:"operations"`
	ID           string           `json:"@id"`
}

// consentRep links a customer's consents.
type consentRep struct {
	RecurringCard                     string `json:"recurringCard"`
	RecurringCardRedirectRegistration string `json:"recurringCardRedirectRegistration"`
}

// cardConsentRep is a recurring-card consent.
type cardConsentRep struct {
	CardToken             string `json:"cardToken"`
	ConsentExpiryDate     string `json:"consentExpiryDate"`
	InstrumentDisplayName string `json:"instrumentDisplayName"`
	CardExpiryDate        string `json:"cardExpiryDate"`
}

// cardRegistrationRequest is the body of POST
// .../recurring-card-redirect-registration.
type cardRegistrationRequest struct {
	CompleteURL string `json:"completeUrl"`
	CancelURL   string `json:"cancelUrl"`
	Language    string `json:"language"`
}

// cardRegistrationRep is a registration: with its @id when it starts.
type cardRegistrationRep struct {
	RedirectURL string `json:"redirectUrl"`
	Status      string `json:"status"`
	ID          string `json:"@id,omitempty"`
}

// productsRequest is the body of PUT .../products: the whole list.
type productsRequest struct {
	Products []struct {
		ProductCode string `json:"productCode"`
		ValidTo     string `json:"validTo"`
	} `json:"products" required:"true"`
}

func (b *productsRequest) input() []customer.ProductInput {
	in := make([]customer.ProductInput, 0, len(b.Products))
	for _, p := range b.Products {
		in = append(in, customer.ProductInput{Code: p.ProductCode, ValidTo: p.ValidTo})
	}
	return in
}

type productRep struct {
	ProductCode string `json:"productCode"`
	ValidTo     string `json:"validTo"`
}

type productsRep struct {
	ID       string       `json:"@id"`
	Products []productRep `json:"products"`
}

type lookupRep struct {
	ID          int64  `json:"lookupId"`
	TokenID     string `json:"tokenId"`
	SubjectHash string `json:"subjectHash"`
	Purpose     string `json:"purpose"`
	Source      string `json:"source"`
	Outcome     string `json:"outcome"`
	Time        string `json:"time"`
}

// lookupListRep is a page of the disclosure log.
type lookupListRep struct {
	Items      []lookupRep `json:"items"`
	Navigation navigation  `json:"navigation"`
}

// The change journal.

// eventRep is an event of the journal (DESIGN.md).
type eventRep struct {
	ID         string   `json:"@id"`
	EventID    string   `json:"eventId"`
	Sequence   int64    `json:"sequence"`
	Type       string   `json:"type"`
	OccurredAt string   `json:"occurredAt"`
	CustomerNo string   `json:"customerNo"`
	Customer   string   `json:"customer"`
	Actor      actorRep `json:"actor"`
	// RequestID is left out for a change no request made (kund import).
	RequestID string       `json:"requestId,omitempty"`
	Data      eventDataRep `json:"data"`
}

type actorRep struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// eventDataRep is what changed: its state after the change, and the
// former values of its properties that the change changed (left out for a
// creation).
type eventDataRep struct {
	Object             json.RawMessage            `json:"object"`
	PreviousAttributes map[string]json.RawMessage `json:"previousAttributes,omitempty"`
}

// eventListRep is a page of the journal. Navigation.Next of the feed is
// where a follower goes on, even when the page is the journal's end.
type eventListRep struct {
	Items      []*eventRep `json:"items"`
	Navigation eventNav    `json:"navigation"`
}

type eventNav struct {
	ID   string `json:"@id"`
	Next string `json:"next,omitempty"`
}

// kycAnswersRep is a customer's KYC answers as the journal shows them.
type kycAnswersRep struct {
	Answers    []kycAnswerValueRep `json:"answers"`
	AnsweredAt string              `json:"answeredAt"`
}

type kycAnswerValueRep struct {
	QuestionCode string `json:"questionCode"`
	AnswerCode   string `json:"answerCode"`
}

// surplusEventRep is a surplus as the journal shows it: without
// operations, with its active disbursement order.
type surplusEventRep struct {
	SurplusID               string      `json:"surplusId"`
	Balance                 json.Number `json:"balance"`
	Currency                string      `json:"currency"`
	Date                    string      `json:"date"`
	Status                  string      `json:"status"`
	Invoice                 string      `json:"invoice,omitempty"`
	Account                 string      `json:"account,omitempty"`
	ActiveDisbursementOrder *orderRep   `json:"activeDisbursementOrder,omitempty"`
	ID                      string      `json:"@id"`
}
