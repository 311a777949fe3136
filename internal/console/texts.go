package console

// The console's texts in Swedish and English; an operator picks (the
// language form in the header). A key missing in Swedish falls back to
// English, a key missing in both shows itself, which a test catches.
var texts = map[string]map[string]string{
	"en": {
		"kund":              "Kund back office",
		"signed-in-as":      "Signed in as",
		"sign-out":          "Sign out",
		"language":          "Language",
		"change":            "Change",
		"error-not-found":   "Not found",
		"error-erased":      "The customer was erased",
		"error-forbidden":   "Not allowed",
		"error-invalid":     "The request is not valid",
		"error-conflict":    "Conflict",
		"error-unavailable": "Not available right now",
		"error-internal":    "Something went wrong",
		"back-to-search":    "Back to search",
		"sign-in":           "Sign in",
		"operator-name":     "Name",
		"password":          "Password",
		"sign-in-failed":    "The name or the password is wrong, or the account is disabled.",
		"sign-in-throttled": "Too many attempts. Wait a minute and try again.",
		"sign-in-expired":   "The sign-in form had expired. Sign in again.",
	},
	"sv": {
		"kund":              "Kund backoffice",
		"signed-in-as":      "Inloggad som",
		"sign-out":          "Logga ut",
		"language":          "Språk",
		"change":            "Byt",
		"error-not-found":   "Hittades inte",
		"error-erased":      "Kunden är raderad",
		"error-forbidden":   "Inte tillåtet",
		"error-invalid":     "Begäran är inte giltig",
		"error-conflict":    "Konflikt",
		"error-unavailable": "Inte tillgängligt just nu",
		"error-internal":    "Något gick fel",
		"back-to-search":    "Tillbaka till sökningen",
		"sign-in":           "Logga in",
		"operator-name":     "Namn",
		"password":          "Lösenord",
		"sign-in-failed":    "Namnet eller lösenordet är fel, eller så är kontot avstängt.",
		"sign-in-throttled": "För många försök. Vänta en minut och försök igen.",
		"sign-in-expired":   "Inloggningsformuläret hade gått ut. Logga in igen.",
	},
}

// Languages are the languages the console speaks.
var Languages = []string{"sv", "en"}

// text is key in lang.
func text(lang, key string) string {
	if s, ok := texts[lang][key]; ok {
		return s
	}
	if s, ok := texts["en"][key]; ok {
		return s
	}
	return key
}
