package compat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

// TestMonitoredProtectionLeaksNothing: a person whom the register gives a
// protected identity while they are a customer is withheld by every
// dialect from then on, and no answer of any dialect shows the address
// they had or the one the register gives for them.
func TestMonitoredProtectionLeaksNothing(t *testing.T) {
	const (
		head    = "country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone\n"
		open    = "SE,19811218-9876,Britt-Marie,Axelstopp,,Gamla vägen 18,15961,SÖDERTÄLJE,false,false,+46701234567\n"
		guarded = "SE,19811218-9876,Britt-Marie,Axelstopp,c/o Skyddad adress,Box 4711,11122,STOCKHOLM,true,false,+46701234567\n"
	)
	secrets := []string{"Gamla vägen", "15961", "SÖDERTÄLJE", "Skyddad", "Box 4711", "11122", "STOCKHOLM"}
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "persons.csv")
			if err := os.WriteFile(path, []byte(head+open), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := register.OpenFile(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			e := apitest.StartWith(t, b, func(c *app.Config) {
				c.Register = f
				c.Monitor = register.MonitorOptions{Poll: 20 * time.Millisecond}
			})
			e.Ledger("4711", "SE", customer.NumbersClient)
			on := true
			if _, err := e.Kund.Service.UpdateLedger(context.Background(), "4711", customer.LedgerOptions{RegisterMonitoring: &on}); err != nil {
				t.Fatal(err)
			}
			tok := e.Token("4711", customer.ScopeWrite, customer.ScopeRegister)
			res := e.Call("POST", "/ledger/customer/v1/4711/generate-consumer-customer-by-reg-no", tok,
				`{"customerNo":"42","nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"},"msisdn":"+46701234567"}`)
			if res.Status != http.StatusCreated {
				t.Fatalf("generate: %d %s", res.Status, res.Body)
			}
			uuid, _ := e.Call("GET", "/ledger/customer/v1/4711/customers/42", tok, "").JSON(t)["uuid"].(string)

			id, secret, err := payway.CreateClient(context.Background(), e.Kund.Service, e.Store, "4711", []string{payway.ScopeAccountRead})
			if err != nil {
				t.Fatal(err)
			}
			form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"none"}, "scope": {payway.ScopeAccountRead}}
			pwToken := e.Do(apitest.Request{Method: "POST", Path: "/api/authorization/access_token", Body: form.Encode(),
				Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).JSON(t)["access_token"].(string)
			key, err := worldline.CreateKey(context.Background(), e.Kund.Service, e.Store, "4711")
			if err != nil {
				t.Fatal(err)
			}
			// lookups asks every dialect about the person.
			lookups := func() map[string]*apitest.Response {
				e.Advance(time.Second) // a signature is good for one Date second
				date := e.Now.Format(http.TimeFormat)
				sig := worldline.Signature(key.Secret, "POST", "application/json", date, nil, "/v1/4711/sessions")
				s := e.Do(apitest.Request{Method: "POST", Path: "/v1/4711/sessions", Body: `{}`, Header: map[string]string{
					"Date": date, "Authorization": "GCS v1HMAC:" + key.ID + ":" + sig}})
				var sess struct{ ClientSessionID, CustomerID string }
				if err := json.Unmarshal(s.Body, &sess); err != nil || s.Status != 201 {
					t.Fatalf("worldline session: %d %s", s.Status, s.Body)
				}
				return map[string]*apitest.Response{
					"frontpayment":  e.Call("GET", "/api/v1/connect/customers/details/"+uuid, tok, ""),
					"riverty":       e.Call("POST", "/v1/clients/4711/lookup/customer", tok, `{"lookupField":"IdentificationNumber","lookupValue":"811218-9876"}`),
					"riverty-phone": e.Call("POST", "/v1/clients/4711/lookup/customer", tok, `{"lookupField":"PhoneNumber","lookupValue":"+46701234567"}`),
					"payway":        e.Call("GET", "/external/api/v1/accounts/candidate?social_security_number=811218-9876", pwToken, ""),
					"worldline": e.Do(apitest.Request{Method: "POST", Path: "/client/v1/" + sess.CustomerID + "/products/9000/customerDetails",
						Body:   `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"198112189876"}]}`,
						Header: map[string]string{"Authorization": "GCS v1Client:" + sess.ClientSessionID}}),
				}
			}
			// Before: every dialect finds the person (so the test can fail).
			for name, res := range lookups() {
				if res.Status != 200 {
					t.Fatalf("%s before the change: %d %s", name, res.Status, res.Body)
				}
			}

			// The register protects the person; monitoring applies it.
			if err := os.WriteFile(path, []byte(head+guarded), 0o600); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for e.Call("GET", "/ledger/customer/v1/4711/customers/42", tok, "").JSON(t)["protectedIdentity"] != true {
				if time.Now().After(deadline) {
					t.Fatal("monitoring did not apply the protected identity in 10 s")
				}
				time.Sleep(20 * time.Millisecond)
			}
			legal := e.Call("GET", "/ledger/customer/v1/4711/customers/42/legal-address", tok, "").JSON(t)
			if legal["streetAddress"] != "Box 4711" {
				t.Fatalf("the register's address for the protected person is not the legal address: %v", legal)
			}

			for name, res := range lookups() {
				if name != "frontpayment" && res.Status == 200 {
					t.Errorf("%s found a protected person: %d %s", name, res.Status, res.Body)
				}
				for _, s := range secrets {
					if strings.Contains(string(res.Body), s) {
						t.Errorf("%s discloses %q of a protected person: %s", name, s, res.Body)
					}
				}
			}
		})
	}
}
