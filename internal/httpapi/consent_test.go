package httpapi_test

// The seed's Consent section, with the built-in sandbox card gateway: the
// card verification page is fetched and its form posted with net/http, as a
// browser would.

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/cardgw"
	"github.com/kund/kund/internal/customer"
)

const (
	consentPath      = custPath + "/consent"
	registrationPath = consentPath + "/recurring-card-redirect-registration"
	seedRegistration = `{
 "completeUrl": "https://www.google.com/search?q=cancelurl",
 "cancelUrl": "https://www.google.com/search?q=completeurl",
 "language": "en-US"
}`
	seedCompleteURL = "https://www.google.com/search?q=cancelurl"
	seedCancelURL   = "https://www.google.com/search?q=completeurl"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// startRegistration starts a registration and returns its redirectUrl.
func startRegistration(t *testing.T, e *apitest.Env, tok string) string {
	t.Helper()
	res := e.Call("POST", registrationPath, tok, seedRegistration)
	want(t, res, http.StatusOK)
	m := res.JSON(t)
	u, _ := m["redirectUrl"].(string)
	if !strings.HasPrefix(u, e.URL+"/sandbox/card-registrations/") || m["status"] != "Initialized" || m["@id"] != registrationPath || len(m) != 3 {
		t.Fatalf("registration: %s", res.Body)
	}
	return u
}

// submitCard posts the sandbox form and returns the response (not
// following the redirect).
func submitCard(t *testing.T, page string, form url.Values) *http.Response {
	t.Helper()
	res, err := noRedirect.PostForm(page, form)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func registrationStatus(t *testing.T, e *apitest.Env, tok string) string {
	t.Helper()
	res := e.Call("GET", registrationPath, tok, "{\n}")
	want(t, res, http.StatusOK)
	m := res.JSON(t)
	if len(m) != 2 {
		t.Fatalf("registration: %s", res.Body)
	}
	return m["status"].(string)
}

func consents(t *testing.T, e *apitest.Env, tok string) []string {
	t.Helper()
	var out []string
	for _, c := range e.Call("GET", custPath, tok, "").JSON(t)["activeConsents"].([]any) {
		out = append(out, c.(string))
	}
	return out
}

func TestSeedConsentAndRecurringCard(t *testing.T) {
	eachWith(t, sandbox, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		cons := e.Token("XXX", customer.ScopeRead, customer.ScopeConsents)

		res := e.Call("GET", consentPath, tok, "")
		want(t, res, http.StatusOK)
		jsonEqual(t, res.Body, `{
 "recurringCard": "/ledger/customer/v1/XXX/customers/9999/consent/recurring-card",
 "recurringCardRedirectRegistration": "/ledger/customer/v1/XXX/customers/9999/consent/recurring-card-redirect-registration"
}`)
		problem(t, e.Call("GET", ledgerPath+"/customers/1111/consent", tok, ""), 404, "customer-not-found")
		problem(t, e.Call("GET", consentPath+"/recurring-card", tok, ""), 404, "not-found")
		problem(t, e.Call("GET", registrationPath, tok, ""), 404, "not-found")
		problem(t, e.Call("POST", registrationPath, tok, seedRegistration), 403, "forbidden")

		page := startRegistration(t, e, cons)
		problem(t, e.Call("POST", registrationPath, cons, seedRegistration), 409, "conflict")
		if s := registrationStatus(t, e, tok); s != "Initialized" {
			t.Fatalf("status %s", s)
		}

		// The verification page is a real form.
		get, err := http.Get(page)
		if err != nil {
			t.Fatal(err)
		}
		html, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if get.StatusCode != 200 || !strings.HasPrefix(get.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("page: %d %s", get.StatusCode, get.Header.Get("Content-Type"))
		}
		for _, s := range []string{`<form method="post"`, `name="cardNumber"`, `name="expiry"`, `name="cvc"`, `value="register"`, `value="cancel"`, `lang="en-US"`} {
			if !strings.Contains(string(html), s) {
				t.Fatalf("page lacks %s:\n%s", s, html)
			}
		}

		// A mistyped card is shown the form again; nothing ends.
		r := submitCard(t, page, url.Values{"action": {"register"}, "cardNumber": {"5510 0000 0000 1233"}, "expiry": {"04/35"}, "cvc": {"123"}})
		if r.StatusCode != 400 || registrationStatus(t, e, tok) != "Initialized" {
			t.Fatalf("bad card: %d", r.StatusCode)
		}
		r = submitCard(t, page, url.Values{"action": {"register"}, "cardNumber": {"5510 0000 0000 1232"}, "expiry": {"04/35"}, "cvc": {"123"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != seedCompleteURL {
			t.Fatalf("register: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		if s := registrationStatus(t, e, tok); s != "Completed" {
			t.Fatalf("status %s", s)
		}

		res = e.Call("GET", consentPath+"/recurring-card", tok, "")
		want(t, res, http.StatusOK)
		m := res.JSON(t)
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(m["cardToken"].(string)) {
			t.Fatalf("cardToken %v", m["cardToken"])
		}
		delete(m, "cardToken")
		jsonEqual(t, mustJSON(t, m), `{"consentExpiryDate": "04-2035", "instrumentDisplayName": "551000******1232", "cardExpiryDate": "04/2035"}`)
		if c := consents(t, e, tok); len(c) != 1 || c[0] != "RecurringCard" {
			t.Fatalf("activeConsents %v", c)
		}
		// The page of an ended registration is gone.
		if r := submitCard(t, page, url.Values{"action": {"cancel"}}); r.StatusCode != http.StatusGone {
			t.Fatalf("ended page: %d", r.StatusCode)
		}

		// The seed's DELETE, with its empty object.
		problem(t, e.Call("DELETE", consentPath+"/recurring-card", tok, "{\n}"), 403, "forbidden")
		want(t, e.Call("DELETE", consentPath+"/recurring-card", cons, "{\n}"), http.StatusNoContent)
		problem(t, e.Call("GET", consentPath+"/recurring-card", tok, ""), 404, "not-found")
		problem(t, e.Call("DELETE", consentPath+"/recurring-card", cons, ""), 404, "not-found")
		if c := consents(t, e, tok); len(c) != 0 {
			t.Fatalf("activeConsents after delete %v", c)
		}

		// Cancel aborts and goes to cancelUrl.
		page = startRegistration(t, e, cons)
		r = submitCard(t, page, url.Values{"action": {"cancel"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != seedCancelURL || registrationStatus(t, e, tok) != "Aborted" {
			t.Fatalf("cancel: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		// A declined card fails the registration; no consent is given.
		page = startRegistration(t, e, cons)
		r = submitCard(t, page, url.Values{"action": {"register"}, "cardNumber": {"4000000000000002"}, "expiry": {"12/2099"}, "cvc": {"1234"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != seedCompleteURL || registrationStatus(t, e, tok) != "Failed" {
			t.Fatalf("declined: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		problem(t, e.Call("GET", consentPath+"/recurring-card", tok, ""), 404, "not-found")

		if log := e.Log(); strings.Contains(log, "5510000000001232") || strings.Contains(log, "4000000000000002") {
			t.Fatalf("a card number reached the log:\n%s", log)
		}
	})
}

func TestCardRegistrationProblems(t *testing.T) {
	eachWith(t, sandbox, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		cons := e.Token("XXX", customer.ScopeRead, customer.ScopeConsents)
		for _, c := range []struct {
			body   string
			fields []string
		}{
			{`{}`, []string{"completeUrl", "cancelUrl", "language"}},
			{`{"completeUrl":"/done","cancelUrl":"ftp://x/y","language":"en-US"}`, []string{"completeUrl", "cancelUrl"}},
			{`{"completeUrl":"https://x/done","cancelUrl":"https://x/cancel","language":"sv"}`, []string{"language"}},
			{`{"completeUrl":"https://x/done","cancelUrl":"https://x/cancel","language":"en-US","amount":1}`, []string{"amount"}},
		} {
			problem(t, e.Call("POST", registrationPath, cons, c.body), 400, "validation", c.fields...)
		}
		problem(t, e.Call("POST", ledgerPath+"/customers/1111/consent/recurring-card-redirect-registration", cons, seedRegistration), 404, "customer-not-found")
		res, err := http.Get(e.URL + "/sandbox/card-registrations/nope")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Fatalf("unknown registration page: %d", res.StatusCode)
		}
	})
}

func TestActiveConsentsSetByTheLedger(t *testing.T) {
	eachWith(t, sandbox, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		cons := e.Token("XXX", customer.ScopeRead, customer.ScopeConsents)
		problem(t, e.Call("PUT", consentPath+"/active-consents/Autogiro", tok, ""), 403, "forbidden")
		want(t, e.Call("PUT", consentPath+"/active-consents/Betalingsservice", cons, ""), http.StatusNoContent)
		want(t, e.Call("PUT", consentPath+"/active-consents/avtalegiro", cons, "{}"), http.StatusNoContent)
		want(t, e.Call("PUT", consentPath+"/active-consents/Avtalegiro", cons, ""), http.StatusNoContent)
		// The seed's example of activeConsents.
		if c := consents(t, e, tok); strings.Join(c, ",") != "Betalingsservice,Avtalegiro" {
			t.Fatalf("activeConsents %v", c)
		}
		want(t, e.Call("DELETE", consentPath+"/active-consents/Betalingsservice", cons, ""), http.StatusNoContent)
		problem(t, e.Call("DELETE", consentPath+"/active-consents/Betalingsservice", cons, ""), 404, "not-found")
		problem(t, e.Call("PUT", consentPath+"/active-consents/RecurringCard", cons, ""), 400, "validation", "name")
		problem(t, e.Call("PUT", consentPath+"/active-consents/Swish", cons, ""), 404, "not-found")
		problem(t, e.Call("PUT", ledgerPath+"/customers/1111/consent/active-consents/Kivra", cons, ""), 404, "customer-not-found")
		if c := consents(t, e, tok); strings.Join(c, ",") != "Avtalegiro" {
			t.Fatalf("activeConsents %v", c)
		}
	})
}

// TestSandboxOnlyOnRequest: the sandbox gateway turns any Luhn-valid number
// into a consent, so `kund serve` mounts it only with --card-gateway
// sandbox: without it there is no page and a registration is 503.
func TestSandboxOnlyOnRequest(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		cons := e.Token("XXX", customer.ScopeRead, customer.ScopeConsents)
		problem(t, e.Call("POST", registrationPath, cons, seedRegistration), http.StatusServiceUnavailable, "service-unavailable")
		res, err := noRedirect.PostForm(e.URL+cardgw.PagePath+"0123456789abcdef0123456789abcdef",
			url.Values{"action": {"register"}, "cardNumber": {"5510 0000 0000 1232"}, "expiry": {"04/35"}, "cvc": {"123"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("the sandbox page without --card-gateway sandbox: %d", res.StatusCode)
		}
	})
}

// TestCardRegistrationsExpire: an Initialized registration the card holder
// did not finish within CardRegistrationTTL is Aborted: its page no longer
// makes a consent, and a new registration may start.
func TestCardRegistrationsExpire(t *testing.T) {
	eachWith(t, sandbox, func(t *testing.T, e *apitest.Env) {
		tok := seedLedger(e)
		want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), http.StatusCreated)
		cons := e.Token("XXX", customer.ScopeRead, customer.ScopeConsents)
		page := startRegistration(t, e, cons)
		e.Advance(customer.CardRegistrationTTL)
		if s := registrationStatus(t, e, tok); s != customer.CardAborted {
			t.Fatalf("status after %v: %s", customer.CardRegistrationTTL, s)
		}
		r := submitCard(t, page, url.Values{"action": {"register"}, "cardNumber": {"5510 0000 0000 1232"}, "expiry": {"04/35"}, "cvc": {"123"}})
		if r.StatusCode == http.StatusSeeOther || len(consents(t, e, tok)) != 0 {
			t.Fatalf("an expired page made a consent: %d %v", r.StatusCode, consents(t, e, tok))
		}
		// A new registration is not blocked by the expired one.
		page = startRegistration(t, e, cons)
		e.Advance(customer.CardRegistrationTTL - time.Second)
		r = submitCard(t, page, url.Values{"action": {"register"}, "cardNumber": {"5510 0000 0000 1232"}, "expiry": {"04/35"}, "cvc": {"123"}})
		if r.StatusCode != http.StatusSeeOther || registrationStatus(t, e, tok) != customer.CardCompleted {
			t.Fatalf("a registration within its time: %d", r.StatusCode)
		}
	})
}
