package worldline

// The lookup payment product as the client API's getPaymentProduct shows
// it: what connect-sdk-client-js needs to build a form (each field's
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

func product(id int, country string) map[string]any {
	f := fiscalFormats[country]
	return map[string]any{
		"id":                        id,
		"paymentMethod":             "invoice",
		"paymentProductGroup":       nil,
		"allowsRecurring":           false,
		"allowsTokenization":        false,
		"autoTokenized":             false,
		"allowsInstallments":        false,
		"mobileIntegrationLevel":    "OPTIMISED_SUPPORT",
		"usesRedirectionTo3rdParty": false,
		"displayHints": map[string]any{
			"displayOrder": 0,
			"label":        "Invoice",
			"logo":         "pp_logo_9000.png",
		},
		"fields": []any{
			map[string]any{
				"id":            "fiscalNumber",
				"type":          "string",
				"usedForLookup": true,
				"dataRestrictions": map[string]any{
					"isRequired": true,
					"validators": map[string]any{
						"length":            map[string]any{"minLength": 10, "maxLength": 13},
						"regularExpression": map[string]any{"regularExpression": f.pattern},
					},
				},
				"displayHints": map[string]any{
					"alwaysShow":         false,
					"displayOrder":       0,
					"formElement":        map[string]any{"type": "text"},
					"label":              "Personal identity number",
					"obfuscate":          false,
					"placeholderLabel":   f.placeholder,
					"preferredInputType": "StringKeyboard",
				},
			},
		},
	}
}
