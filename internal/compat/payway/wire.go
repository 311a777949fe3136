package payway

// The wire format of the dialect, defined once: the token endpoint's
// answer, the account candidate and the errors. (The token request is a
// form, read field by field as the seed lists them.)

// apiError is Payway's error body. cause, when set, is the domain error
// it stands for, so that the pipeline sees a failed authentication.
type apiError struct {
	status  int
	Code    string  `json:"code"`
	Field   *string `json:"field"`
	Message string  `json:"message"`
	cause   error
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

type product struct {
	ProductCode string `json:"product_code"`
	ValidTo     string `json:"valid_to"`
}

type item struct {
	AccountCandidateID   string    `json:"account_candidate_id"`
	Email                string    `json:"email"`
	FirstName            string    `json:"first_name"`
	LastName             string    `json:"last_name"`
	MobilePhoneNumber    string    `json:"mobile_phone_number"`
	SocialSecurityNumber string    `json:"social_security_number"`
	CustomerNumber       string    `json:"customer_number"`
	ZipCode              string    `json:"zip_code"`
	Products             []product `json:"products"`
}

// candidateRep answers the account candidate lookup.
type candidateRep struct {
	Item item `json:"item"`
}
