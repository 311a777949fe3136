package riverty

// The wire format of the dialect, defined once: the lookup's bodies (the
// seed's and the newer one), the customer it answers, and the errors.

type link struct {
	Href   string `json:"href"`
	Rel    string `json:"rel"`
	Method string `json:"method"`
}

type person struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

type company struct {
	Name               string `json:"name"`
	OrganizationNumber string `json:"organizationNumber"`
}

type address struct {
	AddressLine  string `json:"addressLine"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	AddressLine3 string `json:"addressLine3,omitempty"`
	PostalCode   string `json:"postalCode"`
	PostalPlace  string `json:"postalPlace"`
	CountryCode  string `json:"countryCode"`
}

type response struct {
	Links          []link   `json:"_links"`
	CustomerNumber string   `json:"customerNumber"`
	Type           string   `json:"type"`
	Person         *person  `json:"person,omitempty"`
	Company        *company `json:"company,omitempty"`
	PhoneNumber    string   `json:"phoneNumber,omitempty"`
	Email          string   `json:"email,omitempty"`
	Address        address  `json:"address"`
}

// apiError is Riverty's error body.
type apiError struct {
	status   int
	Type     string `json:"type"`
	Title    string `json:"title"`
	Details  string `json:"details"`
	Category string `json:"category"`
}

// wire forms: the seed's {"lookupField","lookupValue"} (also as the
// one-element array its sample shows) and the newer
// {"customerNumber"?, "lookup":{"type","value"}}.
type wire struct {
	LookupField    *string `json:"lookupField"`
	LookupValue    *string `json:"lookupValue"`
	CustomerNumber *string `json:"customerNumber"`
	Lookup         *struct {
		Type  *string `json:"type"`
		Value *string `json:"value"`
	} `json:"lookup"`
}
