package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

// fuzzPrefixes are where the fuzzed paths start: every API of the server
// (native, each dialect's routes, the ops routes) and the bare root. "{cid}"
// is the Worldline client session's customer id.
var fuzzPrefixes = []string{
	"",
	"/ledger/customer/v1/XXX",
	"/v1/XXX",
	"/client/v1/{cid}",
	"/v1/clients/XXX",
	"/api/v1/connect/customers/details",
	"/api/authorization",
	"/external/api/v1/accounts",
	"/healthz",
	"/readyz",
	"/metrics",
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// FuzzRoutes sends random methods, paths, credentials of each API, headers
// (Idempotency-Key, Request-Id, Content-Type) and bodies to every route of
// the server, the dialects' and the ops routes included, on a real SQLite
// file with a register file: no input may produce a 5xx or a panic, and
// every answer carries a request id, the client's only when it is a UUID.
func FuzzRoutes(f *testing.F) {
	ctx := context.Background()
	dir := f.TempDir()
	regFile := filepath.Join(dir, "register.csv")
	if err := os.WriteFile(regFile, []byte("country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone\n"+
		"SE,19811218-9876,Anna,Svensson,,Storgatan 1,11122,Stockholm,false,false,+46701112233\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	reg, err := register.OpenFile(regFile, nil)
	if err != nil {
		f.Fatal(err)
	}
	store, err := app.OpenStore(ctx, filepath.Join(dir, "kund.db"), "")
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	k := app.New(store, app.Config{Register: reg})
	if err := k.Service.CreateLedger(ctx, &customer.Ledger{No: "XXX", Country: "SE"}); err != nil {
		f.Fatal(err)
	}
	tok, err := k.CreateToken(ctx, "XXX", []customer.Scope{customer.ScopeAll}, 0)
	if err != nil {
		f.Fatal(err)
	}
	c, err := k.Service.CreateCustomer(ctx, "XXX", &customer.NewCustomer{CustomerNo: "9999", Name: "Karl Karlsson", MSISDN: "+46709998877",
		NationalID:   &customer.NationalIDInput{RegNo: "198001012387", CountryCode: "SE"},
		LegalAddress: &customer.AddressInput{Addressee: "A", City: "C", ZipCode: "11122", CountryCode: "SE"}})
	if err != nil {
		f.Fatal(err)
	}
	key, err := worldline.CreateKey(ctx, k.Service, store, "XXX")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	sessionID, session := auth.NewWorldlineSession("XXX", 1000, now, 24*time.Hour)
	if err := store.CreateWorldlineSession(ctx, session); err != nil {
		f.Fatal(err)
	}
	clientID, secret, err := payway.CreateClient(ctx, k.Service, store, "XXX", []string{payway.ScopeAccountRead})
	if err != nil {
		f.Fatal(err)
	}
	paywayToken, t := auth.New("XXX", []customer.Scope{customer.ScopeRead}, now, 24*time.Hour)
	t.Kind = auth.KindPayway
	if err := store.CreateToken(ctx, t); err != nil {
		f.Fatal(err)
	}

	const (
		authNone uint8 = iota
		authBearer
		authHMAC
		authClient
		authBad
		authPayway
	)
	const (
		sendKey uint8 = 1 << iota
		sendRequestID
	)
	const rid = "0f8fad5b-d9cb-469f-a165-70867728950e"
	lookup := `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19811218-9876"}]}`
	tokenForm := url.Values{"client_id": {clientID}, "client_secret": {secret}, "grant_type": {"none"}, "scope": {payway.ScopeAccountRead}}.Encode()
	seeds := []struct {
		method, prefix uint8
		path           string
		auth           uint8
		ctype, body    string
	}{
		{0, 1, "/customers", authBearer, "application/json", seedCreate},
		{0, 1, "/find-customer", authBearer, "application/json", seedFind},
		{0, 2, "/sessions", authHMAC, "application/json", `{"tokens":["a"]}`},
		{0, 2, "/products/9000/customerDetails", authHMAC, "application/json", lookup},
		{0, 3, "/products/9000/customerDetails", authClient, "application/json", lookup},
		{1, 3, "/products/9000?countryCode=SE", authClient, "", ""},
		{6, 3, "/products/9000", authNone, "", ""},
		{0, 4, "/lookup/customer", authBearer, "application/json", `{"lookupField":"IdentificationNumber","lookupValue":"19811218-9876"}`},
		{0, 4, "/lookup/customer", authBearer, "application/json", `[{"customerNumber":"9999","lookup":{"type":"PhoneNumber","value":"+46709998877"}}]`},
		{1, 5, "/" + c.UUID, authBearer, "", ""},
		{0, 6, "/access_token", authNone, "application/x-www-form-urlencoded", tokenForm},
		{1, 7, "/candidate?social_security_number=800101-2387", authPayway, "", ""},
		{1, 7, "/candidate?customer_number=9999&zip_code=11122", authPayway, "", ""},
		{1, 8, "", authNone, "", ""},
		{1, 9, "", authNone, "", ""},
		{1, 10, "", authNone, "", ""},
		{1, 0, "/nowhere", authBad, "", ""},
	}
	for i, s := range seeds {
		f.Add(s.method, s.prefix, s.path, s.auth, s.ctype, sendKey|sendRequestID, "key-"+strconv.Itoa(i), rid, s.body)
		f.Add(s.method, s.prefix, s.path, s.auth, s.ctype, uint8(0), "", "", s.body)
		f.Add(s.method, s.prefix, s.path, s.auth, s.ctype, sendKey, "", "not-a-uuid", s.body)
	}

	methods := []string{"POST", "GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	f.Fuzz(func(t *testing.T, m, prefix uint8, path string, how uint8, contentType string, flags uint8, idemKey, requestID, body string) {
		p := strings.ReplaceAll(fuzzPrefixes[int(prefix)%len(fuzzPrefixes)], "{cid}", session.CustomerID) + path
		target := "http://kund" + p
		if _, err := url.ParseRequestURI(target); err != nil || strings.ContainsAny(path, " \r\n\t#") || !strings.HasPrefix(p, "/") ||
			!validHeader(contentType) || !validHeader(idemKey) || !validHeader(requestID) {
			return // not a request an HTTP client can send
		}
		req := httptest.NewRequest(methods[int(m)%len(methods)], target, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if flags&sendKey != 0 {
			req.Header.Set("Idempotency-Key", idemKey)
		}
		if flags&sendRequestID != 0 {
			req.Header.Set("Request-Id", requestID)
		}
		switch how % 6 {
		case authBearer:
			req.Header.Set("Authorization", "Bearer "+tok)
		case authHMAC:
			date := time.Now().UTC().Format(http.TimeFormat)
			req.Header.Set("Date", date)
			sig := worldline.Signature(key.Secret, req.Method, contentType, date, map[string]string{}, req.URL.RequestURI())
			req.Header.Set("Authorization", "GCS v1HMAC:"+key.ID+":"+sig)
		case authClient:
			req.Header.Set("Authorization", "GCS v1Client:"+sessionID)
		case authBad:
			req.Header.Set("Authorization", "Bearer "+path)
		case authPayway:
			req.Header.Set("Authorization", "Bearer "+paywayToken)
		}
		rec := httptest.NewRecorder()
		k.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", req.Method, p, body, rec.Code, rec.Body)
		}
		got := rec.Header().Get("Request-Id")
		switch {
		case !requestIDPattern.MatchString(got):
			t.Fatalf("the answer's Request-Id %q is not a UUID", got)
		case flags&sendRequestID != 0 && requestIDPattern.MatchString(requestID) && got != requestID:
			t.Fatalf("the client's Request-Id %q came back as %q", requestID, got)
		}
	})
}
