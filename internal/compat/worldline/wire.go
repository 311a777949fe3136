package worldline

// The wire format of the dialect, defined once: the session the server API
// creates, the customer-details lookup and its answer, the errors, and the
// lookup payment product as the client API's getPaymentProduct shows it:
// what connect-sdk-client-js needs to build a form (each field's
// dataRestrictions and displayHints, the product's displayHints.logo) and
// which fields are usedForLookup.

// fiscalFormats are the written forms of a personal identity number the
// lookup accepts, per country; the domain checks the number itself.
var fiscalFormats = map[string]struct{ pattern, placeholder string }{
	"SE": {`^(\d{6}|\d{8})[-+]?\d{4}$`, "YYYYMMDD-NNNN"},
	"NO": {`^\d{6} ?\d{5}$`, "DDMMYYNNNNN"},
	"DK": {`^\d{6}-?\d{4}$`, "DDMMYY-NNNN"},
	"FI": {`^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$`, "DDMMYY-NNNC"},
}

// productRep is a payment product as getPaymentProduct answers it. Its
// properties stand in the order of their names, as Worldline's do.
type productRep struct {
	AllowsInstallments        bool                `json:"allowsInstallments"`
	AllowsRecurring           bool                `json:"allowsRecurring"`
	AllowsTokenization        bool                `json:"allowsTokenization"`
	AutoTokenized             bool                `json:"autoTokenized"`
	DisplayHints              productDisplayHints `json:"displayHints"`
	Fields                    []productField      `json:"fields"`
	ID                        int                 `json:"id"`
	MobileIntegrationLevel    string              `json:"mobileIntegrationLevel"`
	PaymentMethod             string              `json:"paymentMethod"`
	PaymentProductGroup       *string             `json:"paymentProductGroup"`
	UsesRedirectionTo3rdParty bool                `json:"usesRedirectionTo3rdParty"`
}

type productDisplayHints struct {
	DisplayOrder int    `json:"displayOrder"`
	Label        string `json:"label"`
	Logo         string `json:"logo"`
}

type productField struct {
	DataRestrictions struct {
		IsRequired bool `json:"isRequired"`
		Validators struct {
			Length struct {
				MaxLength int `json:"maxLength"`
				MinLength int `json:"minLength"`
			} `json:"length"`
			RegularExpression struct {
				RegularExpression string `json:"regularExpression"`
			} `json:"regularExpression"`
		} `json:"validators"`
	} `json:"dataRestrictions"`
	DisplayHints struct {
		AlwaysShow   bool `json:"alwaysShow"`
		DisplayOrder int  `json:"displayOrder"`
		FormElement  struct {
			Type string `json:"type"`
		} `json:"formElement"`
		Label              string `json:"label"`
		Obfuscate          bool   `json:"obfuscate"`
		PlaceholderLabel   string `json:"placeholderLabel"`
		PreferredInputType string `json:"preferredInputType"`
	} `json:"displayHints"`
	ID            string `json:"id"`
	Type          string `json:"type"`
	UsedForLookup bool   `json:"usedForLookup"`
}

// product is the lookup product id as it looks up in country.
func product(id int, country string) productRep {
	f := fiscalFormats[country]
	var fiscal productField
	fiscal.ID, fiscal.Type, fiscal.UsedForLookup = "fiscalNumber", "string", true
	r := &fiscal.DataRestrictions
	r.IsRequired = true
	r.Validators.Length.MinLength, r.Validators.Length.MaxLength = 10, 13
	r.Validators.RegularExpression.RegularExpression = f.pattern
	h := &fiscal.DisplayHints
	h.FormElement.Type, h.Label, h.PlaceholderLabel, h.PreferredInputType = "text", "Personal identity number", f.placeholder, "StringKeyboard"
	return productRep{
		DisplayHints:           productDisplayHints{Label: "Invoice", Logo: "pp_logo_9000.png"},
		Fields:                 []productField{fiscal},
		ID:                     id,
		MobileIntegrationLevel: "OPTIMISED_SUPPORT",
		PaymentMethod:          "invoice",
	}
}

// session answers POST /v1/{merchantId}/sessions.
type session struct {
	AssetURL        string   `json:"assetUrl"`
	ClientAPIURL    string   `json:"clientApiUrl"`
	ClientSessionID string   `json:"clientSessionId"`
	CustomerID      string   `json:"customerId"`
	InvalidTokens   []string `json:"invalidTokens"`
	Region          string   `json:"region"`
}

// detailsRequest is a GetCustomerDetailsRequest; details its answer.
type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type detailsRequest struct {
	CountryCode string     `json:"countryCode"`
	Values      []keyValue `json:"values"`
}

type details struct {
	City         string `json:"city,omitempty"`
	Country      string `json:"country,omitempty"`
	EmailAddress string `json:"emailAddress,omitempty"`
	FirstName    string `json:"firstName,omitempty"`
	FiscalNumber string `json:"fiscalNumber,omitempty"`
	LanguageCode string `json:"languageCode"`
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	Street       string `json:"street,omitempty"`
	Surname      string `json:"surname,omitempty"`
	Zip          string `json:"zip,omitempty"`
}

// apiError is one error of Worldline's ErrorResponse.
type apiError struct {
	Category       string `json:"category"`
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	ID             string `json:"id"`
	Message        string `json:"message"`
	PropertyName   string `json:"propertyName,omitempty"`
	RequestID      string `json:"requestId"`
}

func (e *apiError) Error() string { return e.ID + ": " + e.Message }

type errorResponse struct {
	ErrorID string      `json:"errorId"`
	Errors  []*apiError `json:"errors"`
}
