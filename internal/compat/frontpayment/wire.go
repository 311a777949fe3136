package frontpayment

// The wire format of the dialect, defined once: the customer's details,
// the seed's envelopes of an answer and of an error.

type address struct {
	UUID    string `json:"uuid"`
	Street  string `json:"street"`
	Zip     string `json:"zip"`
	City    string `json:"city"`
	Country string `json:"country"`
}

type details struct {
	UUID              string  `json:"uuid"`
	Type              string  `json:"type"`
	Name              string  `json:"name"`
	CountryCode       string  `json:"countryCode"`
	MSISDN            string  `json:"msisdn"`
	OrganizationID    *string `json:"organizationId"`
	PersonalNumber    *string `json:"personalNumber"`
	Email             string  `json:"email"`
	PreferredLanguage *string `json:"preferredLanguage"`
	Status            string  `json:"status"`
	Addresses         struct {
		Billing  address `json:"billing"`
		Shipping address `json:"shipping"`
	} `json:"addresses"`
}

// envelope is the seed's success and not-found answer.
type envelope struct {
	StatusCode    int    `json:"status_code"`
	StatusMessage string `json:"status_message"`
	Message       string `json:"message"`
	IsData        bool   `json:"is_data"`
	Data          any    `json:"data"`
}

// errorEnvelope is the seed's 510 answer, also used for the statuses the
// seed leaves open (401, 403, 503).
type errorEnvelope struct {
	StatusCode    int      `json:"status_code"`
	StatusMessage string   `json:"status_message"`
	Message       string   `json:"message"`
	IsError       bool     `json:"is_error"`
	Errors        []string `json:"errors"`
}
