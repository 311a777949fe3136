package worldline_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/register"
)

// attack is a Kund as `kund serve` runs it (the default limits, the
// default session quota and lifetime), behind a proxy so that the test
// can speak from several client addresses, with a synthetic register of
// 200 Swedish persons whose numbers the attacker knows.
type attack struct {
	e              *apitest.Env
	keyID, secret  string
	hits, unknowns []string // numbers the register knows (and discloses), and valid numbers it does not
}

func newAttack(t *testing.T, b apitest.Backend, limits edge.Limits) *attack {
	t.Helper()
	now := time.Now().UTC()
	var buf bytes.Buffer
	if err := register.Generate(&buf, register.GenerateOptions{Country: "SE", Count: 200, Seed: 7, Now: now}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	a := &attack{}
	known := map[string]bool{}
	for _, row := range rows[1:] {
		known[row[1]] = true
		if row[8] == "false" && row[9] == "false" {
			a.hits = append(a.hits, row[1])
		}
	}
	var other bytes.Buffer
	if err := register.Generate(&other, register.GenerateOptions{Country: "SE", Count: 100, Seed: 8, Now: now}); err != nil {
		t.Fatal(err)
	}
	rows, _ = csv.NewReader(&other).ReadAll()
	for _, row := range rows[1:] {
		if !known[row[1]] {
			a.unknowns = append(a.unknowns, row[1])
		}
	}
	path := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := register.OpenFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.e = apitest.StartWith(t, b, func(c *app.Config) {
		c.Register = f
		c.HTTP.Limits = limits
		c.HTTP.TrustProxy = true
	})
	a.e.Ledger("4711", "SE", customer.NumbersClient)
	k, err := worldline.CreateKey(context.Background(), a.e.Kund.Service, a.e.Store, "4711")
	if err != nil {
		t.Fatal(err)
	}
	a.keyID, a.secret = k.ID, k.Secret
	return a
}

// session is what the merchant's checkout hands a visitor's browser.
type session struct{ id, customerID string }

func (a *attack) session(t *testing.T) session {
	t.Helper()
	a.e.Advance(time.Second) // each signature is used once
	res := signed(a.e, a.keyID, a.secret, "POST", "/v1/4711/sessions", `{}`, a.e.Now)
	if res.Status != http.StatusCreated {
		t.Fatalf("session: %d %s", res.Status, res.Body)
	}
	s := res.JSON(t)
	return session{s["clientSessionId"].(string), s["customerId"].(string)}
}

// lookup is the browser's customerDetails from the client address from.
func (a *attack) lookup(s session, from, regNo string) *apitest.Response {
	return a.e.Do(apitest.Request{Method: "POST", Path: "/client/v1/" + s.customerID + "/products/9000/customerDetails",
		Body:   `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"` + regNo + `"}]}`,
		Header: map[string]string{"Authorization": "GCS v1Client:" + s.id, "X-Forwarded-For": from}})
}

func (a *attack) logged(t *testing.T) int {
	t.Helper()
	ls, err := a.e.Store.RegisterLookups(context.Background(), "4711", nil, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(ls)
}

func limited(t *testing.T, res *apitest.Response, message string) {
	t.Helper()
	wantError(t, res, http.StatusTooManyRequests, "21000070", "TOO_MANY_REQUESTS", "")
	if !strings.Contains(string(res.Body), message) {
		t.Fatalf("429 for another reason than %q: %s", message, res.Body)
	}
}

// TestEnumerationFromABrowserIsStopped: the attack review's scraper, a
// client session driven in a loop over numbers it knows, found 191 of 200
// register persons in 3 s. With the default limits a session stops after
// its quota (misses cost more), a client address after its own limit
// however many sessions it gets, and every lookup made is in the
// disclosure log.
func TestEnumerationFromABrowserIsStopped(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			a := newAttack(t, b, edge.DefaultLimits())
			made := 0

			// One session: its quota of 10 units, a unit a hit.
			s := a.session(t)
			for i, regNo := range a.hits[:customer.DefaultSessionLookups] {
				if res := a.lookup(s, "198.51.100.1", regNo); res.Status != http.StatusOK {
					t.Fatalf("lookup %d of the quota: %d %s", i+1, res.Status, res.Body)
				}
				made++
			}
			limited(t, a.lookup(s, "198.51.100.1", a.hits[10]), "used up its lookups")

			// Misses cost 3: a session of unknown numbers makes 4 lookups.
			s = a.session(t)
			for _, regNo := range a.unknowns[:4] {
				wantError(t, a.lookup(s, "198.51.100.2", regNo), http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", "")
				made++
			}
			limited(t, a.lookup(s, "198.51.100.2", a.unknowns[4]), "used up its lookups")

			// A scraper that takes a new session whenever one is used up
			// is stopped by its address: 30 units, then a unit per 5 s.
			found, answered := 0, 0
			s = a.session(t)
			for _, regNo := range a.hits[20:] {
				res := a.lookup(s, "203.0.113.9", regNo)
				if res.Status == http.StatusTooManyRequests && strings.Contains(string(res.Body), "used up its lookups") {
					s = a.session(t)
					res = a.lookup(s, "203.0.113.9", regNo)
				}
				if res.Status == http.StatusTooManyRequests {
					limited(t, res, "from this address")
					break
				}
				if res.Status != http.StatusOK {
					t.Fatalf("lookup: %d %s", res.Status, res.Body)
				}
				found++
				answered++
			}
			made += answered
			// Less than a unit refills while the merchant makes its three
			// sessions (a second each, at 0.2 units a second).
			if found != 30 {
				t.Fatalf("the scraper found %d persons from one address, want the address limit of 30 (+ what refilled)", found)
			}
			limited(t, a.lookup(a.session(t), "203.0.113.9", a.hits[0]), "from this address")

			// Every lookup made is in the disclosure log; the refused ones
			// asked nobody.
			if n := a.logged(t); n != made {
				t.Fatalf("disclosure log: %d entries for %d lookups", n, made)
			}
		})
	}
}

// TestLedgerLookupCeiling: sessions from ever new addresses are stopped by
// the ledger's ceiling.
func TestLedgerLookupCeiling(t *testing.T) {
	limits := edge.DefaultLimits()
	limits.LedgerLookups = edge.Limit{Rate: 0.001, Burst: 12}
	a := newAttack(t, apitest.SQLite, limits)
	answered := 0
	for i := 0; i < 20; i++ {
		res := a.lookup(a.session(t), fmt.Sprintf("192.0.2.%d", i+1), a.hits[i])
		if res.Status == http.StatusTooManyRequests {
			limited(t, res, "ledger's lookups")
			break
		}
		answered++
	}
	if answered != 12 {
		t.Fatalf("%d lookups before the ceiling, want its burst of 12", answered)
	}
	// The server API of the same ledger shares the ceiling.
	a.e.Advance(time.Second)
	res := signed(a.e, a.keyID, a.secret, "POST", "/v1/4711/products/9000/customerDetails",
		`{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"`+a.hits[30]+`"}]}`, a.e.Now)
	limited(t, res, "ledger's lookups")
}

// TestSessionsExpireSooner: a session lives 20 minutes by default, as long
// as the ledger says otherwise.
func TestSessionsExpireSooner(t *testing.T) {
	a := newAttack(t, apitest.SQLite, edge.Limits{})
	s := a.session(t)
	if res := a.lookup(s, "198.51.100.1", a.hits[0]); res.Status != http.StatusOK {
		t.Fatalf("lookup: %d %s", res.Status, res.Body)
	}
	a.e.Advance(customer.DefaultSessionTTL)
	wantError(t, a.lookup(s, "198.51.100.1", a.hits[1]), http.StatusUnauthorized, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")

	ttl, quota := 5*time.Minute, 2
	if _, err := a.e.Kund.Service.UpdateLedger(context.Background(), "4711", customer.LedgerOptions{SessionTTL: &ttl, SessionLookups: &quota}); err != nil {
		t.Fatal(err)
	}
	s = a.session(t)
	for range quota {
		if res := a.lookup(s, "198.51.100.1", a.hits[2]); res.Status != http.StatusOK {
			t.Fatalf("lookup: %d %s", res.Status, res.Body)
		}
	}
	limited(t, a.lookup(s, "198.51.100.1", a.hits[2]), "used up its lookups")
	a.e.Advance(ttl)
	wantError(t, a.lookup(s, "198.51.100.1", a.hits[2]), http.StatusUnauthorized, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
	if _, err := a.e.Kund.Service.UpdateLedger(context.Background(), "4711", customer.LedgerOptions{SessionTTL: ptr(3 * time.Hour)}); customer.ErrorCode(err) != customer.EVALIDATION {
		t.Fatalf("a session lifetime beyond Worldline's 2 h: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestWithheldPersonsAreNeverDisclosed: a ledger customer marked protected
// whose number the register holds unprotected, and a deceased customer,
// are not found through either API, and the register is not asked for
// them.
func TestWithheldPersonsAreNeverDisclosed(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e, keyID, secret := start(t, b)
			write := e.Token("4711", customer.ScopeWrite)
			// The register knows 19800101-2387 (Gustav Adolfs) unprotected.
			for _, body := range []string{
				`{"customerNo":"3","nationalIdentifier":{"regNo":"19800101-2387","countryCode":"SE"},"legalEntity":"consumer","protectedIdentity":true,
 "name":"Gustav Adolfs","legalAddress":{"addressee":"Gustav Adolfs","streetAddress":"Box 3","city":"STOCKHOLM","zipCode":"15961","countryCode":"SE"}}`,
			} {
				if res := e.Call("POST", "/ledger/customer/v1/4711/customers", write, body); res.Status != http.StatusCreated {
					t.Fatalf("create: %d %s", res.Status, res.Body)
				}
			}
			if res := e.Call("PATCH", "/ledger/customer/v1/4711/customers/1", write, `{"legalStatus":"deceased"}`); res.Status != http.StatusOK {
				t.Fatalf("deceased: %d %s", res.Status, res.Body)
			}
			e.Advance(time.Second)
			res := signed(e, keyID, secret, "POST", "/v1/4711/sessions", `{}`, e.Now)
			var s map[string]any
			json.Unmarshal(res.Body, &s)
			client := func(body string) *apitest.Response {
				return e.Do(apitest.Request{Method: "POST", Path: "/client/v1/" + s["customerId"].(string) + "/products/9000/customerDetails", Body: body,
					Header: map[string]string{"Authorization": "GCS v1Client:" + s["clientSessionId"].(string)}})
			}
			for _, body := range []string{
				`{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19800101-2387"}]}`, // protected in the ledger
				`{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19811218-9876"}]}`, // deceased
				`{"countryCode":"SE","values":[{"key":"phoneNumber","value":"+46720000000"}]}`,   // the deceased's phone
			} {
				got := client(body)
				wantError(t, got, http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", "")
				if strings.Contains(string(got.Body), "Gustav") || strings.Contains(string(got.Body), "torg") {
					t.Fatalf("disclosed: %s", got.Body)
				}
				e.Advance(time.Second)
				wantError(t, signed(e, keyID, secret, "POST", "/v1/4711/products/9000/customerDetails", body, e.Now),
					http.StatusBadRequest, "1214", "CUSTOMER_DETAILS_NOT_FOUND", "")
			}
			ls, err := e.Store.RegisterLookups(context.Background(), "4711", nil, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				if l.Source != register.SourceCustomers || l.Outcome != register.OutcomeWithheld {
					t.Fatalf("a withheld person's lookup went further: %+v", l)
				}
			}
			if len(ls) != 6 {
				t.Fatalf("disclosure log: %d entries, want 6", len(ls))
			}
		})
	}
}

// TestSignaturesAreUsedOnce: the v1HMAC scheme does not sign the body, so
// captured headers replayed with another body would look another person
// up; a signature is accepted once, also across Kund processes sharing a
// database.
func TestSignaturesAreUsedOnce(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e, keyID, secret := start(t, b)
			path := "/v1/4711/products/9000/customerDetails"
			d := e.Now.UTC().Format(http.TimeFormat)
			meta := "eyJzZGtJZGVudGlmaWVyIjoiR28ifQ=="
			header := map[string]string{"Content-Type": "application/json", "Date": d, "X-GCS-ServerMetaInfo": meta,
				"Authorization": "GCS v1HMAC:" + keyID + ":" + worldline.Signature(secret, "POST", "application/json", d, map[string]string{"X-GCS-ServerMetaInfo": meta}, path)}
			first := e.Do(apitest.Request{Method: "POST", Path: path, Header: header,
				Body: `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19811218-9876"}]}`})
			if first.Status != http.StatusOK {
				t.Fatalf("first use: %d %s", first.Status, first.Body)
			}
			for _, body := range []string{
				`{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19800101-2387"}]}`, // another person
				`{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19811218-9876"}]}`, // the same again
			} {
				res := e.Do(apitest.Request{Method: "POST", Path: path, Header: header, Body: body})
				wantError(t, res, http.StatusUnauthorized, "9002", "MISSING_OR_INVALID_AUTHORIZATION", "")
				if !strings.Contains(string(res.Body), "used already") {
					t.Fatalf("replay refused for another reason: %s", res.Body)
				}
			}
			// The same key signs the next request anew and is served.
			e.Advance(time.Second)
			if res := signed(e, keyID, secret, "POST", path, `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19800101-2387"}]}`, e.Now); res.Status != http.StatusOK {
				t.Fatalf("a fresh signature: %d %s", res.Status, res.Body)
			}
		})
	}
}

// TestClientAPIURLIsNotTheClients: a session's clientApiUrl and assetUrl
// come from --public-url (or the address Kund listens on), never from the
// request's Host or X-Forwarded-Proto.
func TestClientAPIURLIsNotTheClients(t *testing.T) {
	for _, public := range []string{"", "https://kund.example.se"} {
		e := apitest.StartWith(t, apitest.SQLite, func(c *app.Config) { c.PublicURL = public })
		e.Ledger("4711", "SE", customer.NumbersClient)
		k, err := worldline.CreateKey(context.Background(), e.Kund.Service, e.Store, "4711")
		if err != nil {
			t.Fatal(err)
		}
		d := e.Now.UTC().Format(http.TimeFormat)
		res := e.Do(apitest.Request{Method: "POST", Path: "/v1/4711/sessions", Body: `{}`, Header: map[string]string{
			"Content-Type": "application/json", "Date": d, "Host": "attacker.example", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "attacker.example",
			"Authorization": "GCS v1HMAC:" + k.ID + ":" + worldline.Signature(k.Secret, "POST", "application/json", d, map[string]string{}, "/v1/4711/sessions")}})
		if res.Status != http.StatusCreated {
			t.Fatalf("session: %d %s", res.Status, res.Body)
		}
		want := public
		if want == "" {
			want = e.URL
		}
		s := res.JSON(t)
		if s["clientApiUrl"] != want || s["assetUrl"] != want+"/client/assets/" || strings.Contains(string(res.Body), "attacker") {
			t.Fatalf("public %q: %s", public, res.Body)
		}
	}
}

// TestCredentialsAtRest: the database holds no API secret, no client
// session id and no stored reply in clear, and the disclosure log names a
// session by an id that is no part of its secret.
func TestCredentialsAtRest(t *testing.T) {
	e, keyID, secret := start(t, apitest.SQLite)
	e.Advance(time.Second)
	res := signed(e, keyID, secret, "POST", "/v1/4711/sessions", `{}`, e.Now)
	s := res.JSON(t)
	sid := s["clientSessionId"].(string)
	// A lookup under an Idempotency-Key keeps its reply (the person's
	// street) for a day.
	lookup := e.Do(apitest.Request{Method: "POST", Path: "/client/v1/" + s["customerId"].(string) + "/products/9000/customerDetails",
		Body:   `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19800101-2387"}]}`,
		Header: map[string]string{"Authorization": "GCS v1Client:" + sid, "Idempotency-Key": "k-1"}})
	if lookup.Status != http.StatusOK || !strings.Contains(string(lookup.Body), "Gustav Adolfs torg 22") {
		t.Fatalf("lookup: %d %s", lookup.Status, lookup.Body)
	}
	ls, err := e.Store.RegisterLookups(context.Background(), "4711", nil, 0, 10)
	if err != nil || len(ls) == 0 || strings.Contains(ls[0].TokenID, sid) || !strings.HasPrefix(ls[0].TokenID, "worldline-session:") {
		t.Fatalf("disclosure log: %+v %v", ls, err)
	}
	dir := filepath.Dir(e.Kund.Store.(interface{ Path() string }).Path())
	files, _ := filepath.Glob(filepath.Join(dir, "kund.db*"))
	if len(files) < 2 {
		t.Fatalf("database files: %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, clear := range []string{secret, sid, "Gustav Adolfs torg 22"} {
			if bytes.Contains(data, []byte(clear)) {
				t.Fatalf("%s holds %q in clear", filepath.Base(f), clear)
			}
		}
	}
}

// TestRealClientsAsTheyCall: the Go, Java and .NET server SDKs sign the
// path with the query decoded, and the iOS client SDK asks for a product
// with a trailing slash.
func TestRealClientsAsTheyCall(t *testing.T) {
	e, keyID, secret := start(t, apitest.SQLite)
	for _, c := range []struct{ sent, signed string }{
		{"/v1/4711/sessions?note=a%20b%2Fc", "/v1/4711/sessions?note=a b/c"},
		{"/v1/4711/sessions?note=plain", "/v1/4711/sessions?note=plain"},
	} {
		e.Advance(time.Second)
		d := e.Now.UTC().Format(http.TimeFormat)
		res := e.Do(apitest.Request{Method: "POST", Path: c.sent, Body: `{}`, Header: map[string]string{"Content-Type": "application/json", "Date": d,
			"Authorization": "GCS v1HMAC:" + keyID + ":" + worldline.Signature(secret, "POST", "application/json", d, map[string]string{}, c.signed)}})
		if res.Status != http.StatusCreated {
			t.Fatalf("signed over %q: %d %s", c.signed, res.Status, res.Body)
		}
	}
	e.Advance(time.Second)
	res := signed(e, keyID, secret, "POST", "/v1/4711/sessions", `{}`, e.Now)
	s := res.JSON(t)
	got := e.Do(apitest.Request{Method: "GET", Path: "/client/v1/" + s["customerId"].(string) + "/products/9000/?countryCode=SE",
		Header: map[string]string{"Authorization": "GCS v1Client:" + s["clientSessionId"].(string)}})
	if got.Status != http.StatusOK || !strings.Contains(string(got.Body), `"id":9000`) || got.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("product with a trailing slash: %d %s", got.Status, got.Body)
	}
}
