package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/console"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/operator"
)

const password = "rätt häst batteri"

// kund is a whole Kund (the console mounted as `kund serve` mounts it) on
// every backend, with ledgers L-1 and L-2.
type kund struct {
	*apitest.Env
	t   *testing.T
	tok map[string]string // a token of each ledger
}

func start(t *testing.T, b apitest.Backend) *kund {
	e := apitest.Start(t, b)
	k := &kund{Env: e, t: t, tok: map[string]string{}}
	for _, l := range []string{"L-1", "L-2"} {
		e.Ledger(l, "SE", customer.NumbersClient)
		k.tok[l] = e.Token(l, customer.ScopeAll)
	}
	return k
}

// customer creates a customer through the API.
func (k *kund) customer(ledger, no, name, regNo, email, phone string, protected bool) {
	k.t.Helper()
	body := `{"customerNo":"` + no + `","legalEntity":"consumer","name":"` + name + `","emailAddress":"` + email + `","msisdn":"` + phone + `",
 "nationalIdentifier":{"regNo":"` + regNo + `","countryCode":"SE"},"protectedIdentity":` + map[bool]string{true: "true", false: "false"}[protected] + `,
 "legalAddress":{"addressee":"` + name + `","streetAddress":"Hemliga gatan 1","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`
	if res := k.Call("POST", "/ledger/customer/v1/"+ledger+"/customers", k.tok[ledger], body); res.Status != 201 {
		k.t.Fatalf("create %s: %d %s", no, res.Status, res.Body)
	}
}

func (k *kund) operator(name string, role operator.Role, ledgers ...string) {
	k.t.Helper()
	h, err := operator.HashPassword(password)
	if err != nil {
		k.t.Fatal(err)
	}
	o := &operator.Operator{Name: name, Role: role, Ledgers: ledgers, PasswordHash: h, CreatedAt: k.Now, UpdatedAt: k.Now}
	if err := k.Store.(operator.Store).CreateOperator(context.Background(), o); err != nil {
		k.t.Fatal(err)
	}
}

// person is a browser that does not follow redirects, signed in.
type person struct {
	k    *kund
	c    *http.Client
	csrf string
}

type page struct {
	status int
	header http.Header
	body   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func (k *kund) signIn(name string) *person {
	k.t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &person{k: k, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	form := p.get("/console/sign-in")
	m := csrfField.FindStringSubmatch(form.body)
	if m == nil {
		k.t.Fatalf("sign-in page: %d %s", form.status, form.body)
	}
	res := p.post("/console/sign-in", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}})
	if res.status != http.StatusSeeOther {
		k.t.Fatalf("sign-in of %s: %d %s", name, res.status, res.body)
	}
	search := p.get("/console/")
	m = csrfField.FindStringSubmatch(search.body)
	if search.status != 200 || m == nil {
		k.t.Fatalf("search page after sign-in: %d %s", search.status, search.body)
	}
	p.csrf = m[1]
	return p
}

func (p *person) do(req *http.Request) page {
	p.k.t.Helper()
	res, err := p.c.Do(req)
	if err != nil {
		p.k.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(b)}
}

func (p *person) get(path string) page {
	p.k.t.Helper()
	req, _ := http.NewRequest("GET", p.k.URL+path, nil)
	return p.do(req)
}

// post sends a form; the session's CSRF token is added unless the form
// has one.
func (p *person) post(path string, form url.Values) page {
	p.k.t.Helper()
	if _, ok := form["csrf"]; !ok && p.csrf != "" {
		form.Set("csrf", p.csrf)
	}
	req, _ := http.NewRequest("POST", p.k.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(req)
}

func want(t *testing.T, what string, p page, status int) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.status, status, p.body)
	}
}

// TestRoles walks every page and action of the console for each role, on
// a customer of the operator's ledger, a protected one, and another
// ledger's.
func TestRoles(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			k := start(t, b)
			k.customer("L-1", "100", "Britt-Marie Axelstopp", "19811218-9876", "britt@axelstopp.com", "+46701234567", false)
			k.customer("L-1", "200", "Sven Skyddad", "19121212-1212", "sven@example.se", "+46709876543", true)
			k.customer("L-2", "300", "Britt Annan", "19700101-1233", "annan@example.se", "+46705555555", false)
			for _, r := range operator.Roles {
				k.operator(string(r), r, "L-1")
			}
			const c1, prot, other = "/console/customers/L-1/100", "/console/customers/L-1/200", "/console/customers/L-2/300"
			for _, role := range operator.Roles {
				p := k.signIn(string(role))
				edits, admin := role != operator.Viewer, role == operator.Admin

				// Reading: the customer, the protected one masked below admin.
				res := p.get(c1)
				want(t, string(role)+" customer", res, 200)
				for _, s := range []string{"19811218-9876", "46701234567", "Hemliga gatan 1", "customer.created"} {
					if !strings.Contains(res.body, s) {
						t.Fatalf("%s: the customer page lacks %q", role, s)
					}
				}
				res = p.get(prot)
				want(t, string(role)+" protected customer", res, 200)
				if shown := strings.Contains(res.body, "19121212-1212") || strings.Contains(res.body, "Hemliga gatan 1"); shown != admin {
					t.Fatalf("%s: a protected identity's number and address shown: %v", role, shown)
				}
				if s := p.get("/console/?q=sven"); !strings.Contains(s.body, "Sven Skyddad") || strings.Contains(s.body, "19121212-1212") != admin {
					t.Fatalf("%s: search results of a protected identity:\n%s", role, s.body)
				}
				// Another ledger's customer: never shown, on any page or action.
				for _, path := range []string{other, other + "/contact", other + "/address/legal", other + "/address/billing", other + "/export", other + "/erase"} {
					res := p.get(path)
					if (res.status != 404 && res.status != 403) || strings.Contains(res.body, "Britt Annan") {
						t.Fatalf("%s: %s: %d", role, path, res.status)
					}
				}
				for _, path := range []string{other + "/contact", other + "/address/legal", other + "/update-from-register", other + "/erase"} {
					res := p.post(path, url.Values{"version": {"1"}, "email": {"x@example.se"}, "confirm": {"300"}, "reason": {"test"}})
					if res.status != 404 && res.status != 403 {
						t.Fatalf("%s: POST %s: %d", role, path, res.status)
					}
				}
				if s := p.get("/console/?q=britt"); strings.Contains(s.body, "Britt Annan") || !strings.Contains(s.body, "Britt-Marie") {
					t.Fatalf("%s: search across ledgers:\n%s", role, s.body)
				}

				// Changing: viewers may not.
				for _, path := range []string{c1 + "/contact", c1 + "/address/legal"} {
					res := p.get(path)
					if edits && res.status != 200 || !edits && res.status != 403 {
						t.Fatalf("%s: GET %s: %d", role, path, res.status)
					}
				}
				version := map[operator.Role]string{operator.Viewer: "1", operator.Agent: "1", operator.Admin: "2"}[role]
				res = p.post(c1+"/contact", url.Values{"version": {version}, "email": {string(role) + "@example.se"}, "msisdn": {"+46701234567"}})
				if edits && res.status != http.StatusSeeOther || !edits && res.status != 403 {
					t.Fatalf("%s: save contact: %d\n%s", role, res.status, res.body)
				}
				// A protected identity's addresses: only those who see them.
				if res := p.get(prot + "/address/legal"); admin && res.status != 200 || !admin && res.status != 403 {
					t.Fatalf("%s: a protected identity's address form: %d", role, res.status)
				}
				// Export and erasure: admins.
				res = p.get(c1 + "/export")
				if admin && (res.status != 200 || !strings.Contains(res.body, `"customerNo": "100"`)) || !admin && res.status != 403 {
					t.Fatalf("%s: export: %d", role, res.status)
				}
				if res := p.get(c1 + "/erase"); admin && res.status != 200 || !admin && res.status != 403 {
					t.Fatalf("%s: erase form: %d", role, res.status)
				}
				if !admin {
					want(t, string(role)+" erase", p.post(c1+"/erase", url.Values{"confirm": {"100"}, "reason": {"case 1"}}), 403)
				}
				// A form without the session's token changes nothing.
				if edits {
					want(t, "a form without its token", p.post(c1+"/contact", url.Values{"csrf": {""}, "version": {"9"}, "email": {"csrf@example.se"}}), 403)
				}
			}

			// The edits are journaled as the operators that made them.
			hist := k.Call("GET", "/ledger/customer/v1/L-1/customers/100/history", k.tok["L-1"], "")
			for _, who := range []string{`"type":"operator","id":"agent"`, `"type":"operator","id":"admin"`} {
				if !strings.Contains(string(hist.Body), who) {
					t.Fatalf("the history does not name %s:\n%s", who, hist.Body)
				}
			}
			// Each view of the protected identity by the admin is in the disclosure log.
			log := k.Call("GET", "/ledger/customer/v1/L-1/register-lookups?regNo=19121212-1212&countryCode=SE", k.tok["L-1"], "")
			if n := strings.Count(string(log.Body), `"tokenId":"operator:admin"`); n < 2 || strings.Contains(string(log.Body), "operator:agent") {
				t.Fatalf("the disclosure log of the protected identity (%d views by the admin):\n%s", n, log.Body)
			}

			// The admin erases, with the number typed and a reason.
			p := k.signIn("admin")
			want(t, "erase with another number", p.post(c1+"/erase", url.Values{"confirm": {"101"}, "reason": {"case 1"}}), 400)
			want(t, "erase without a reason", p.post(c1+"/erase", url.Values{"confirm": {"100"}, "reason": {""}}), 400)
			want(t, "erase", p.post(c1+"/erase", url.Values{"confirm": {"100"}, "reason": {"case 1"}}), 200)
			want(t, "the erased customer", p.get(c1), 410)
			if e := k.Call("GET", "/ledger/customer/v1/L-1/events?type=customer.erased", k.tok["L-1"], ""); !strings.Contains(string(e.Body), `"id":"admin"`) {
				t.Fatalf("the erasure is not journaled as the admin's: %s", e.Body)
			}
		})
	}
}

// TestSearch: one box takes every kind of value, in any written form.
func TestSearch(t *testing.T) {
	k := start(t, apitest.SQLite)
	k.customer("L-1", "100", "Britt-Marie Axelstopp", "19811218-9876", "britt@axelstopp.com", "+46701234567", false)
	k.customer("L-1", "101", "Britta Berg", "19900101-0017", "berg@example.se", "+46702222222", false)
	k.customer("L-2", "100", "Britt Tvåa", "19850505-0008", "tvaa@example.se", "+46701234567", false)
	k.operator("agent", operator.Agent, "L-1", "L-2")
	p := k.signIn("agent")
	for _, c := range []struct {
		q        string
		redirect string   // an exact hit opens the customer
		found    []string // else these are listed
	}{
		{q: "811218-9876", redirect: "/console/customers/L-1/100"},
		{q: "198112189876", redirect: "/console/customers/L-1/100"},
		{q: "101", redirect: "/console/customers/L-1/101"},
		{q: "070-123 45 67", found: []string{"Britt-Marie Axelstopp", "Britt Tvåa"}},
		{q: "+46 70 123 45 67", found: []string{"Britt-Marie Axelstopp", "Britt Tvåa"}},
		{q: "britt@axelstopp.com", found: []string{"Britt-Marie Axelstopp"}},
		{q: "BRITT", found: []string{"Britt-Marie Axelstopp", "Britta Berg", "Britt Tvåa"}},
		{q: "100", found: []string{"Britt-Marie Axelstopp", "Britt Tvåa"}}, // a number in two ledgers
	} {
		res := p.get("/console/?q=" + url.QueryEscape(c.q))
		if c.redirect != "" {
			if res.status != http.StatusSeeOther || res.header.Get("Location") != c.redirect {
				t.Fatalf("%q: %d to %q, want %s", c.q, res.status, res.header.Get("Location"), c.redirect)
			}
			continue
		}
		want(t, c.q, res, 200)
		for _, name := range c.found {
			if !strings.Contains(res.body, name) {
				t.Fatalf("%q does not find %s:\n%s", c.q, name, res.body)
			}
		}
		if n := strings.Count(res.body, "<tr>") - 1; n != len(c.found) {
			t.Fatalf("%q found %d customers, want %d", c.q, n, len(c.found))
		}
	}
	if res := p.get("/console/?q=" + url.QueryEscape("britt") + "&ledger=L-2"); strings.Contains(res.body, "Axelstopp") || !strings.Contains(res.body, "Tvåa") {
		t.Fatalf("a search in one ledger:\n%s", res.body)
	}
}

// TestConcurrentEdit: a form saved after someone else changed the
// customer writes nothing and shows both.
func TestConcurrentEdit(t *testing.T) {
	k := start(t, apitest.SQLite)
	k.customer("L-1", "100", "Britt-Marie Axelstopp", "19811218-9876", "britt@axelstopp.com", "+46701234567", false)
	k.operator("agent", operator.Agent, "L-1")
	p := k.signIn("agent")
	form := p.get("/console/customers/L-1/100/contact")
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(form.body)[1]
	if res := k.Call("PATCH", "/ledger/customer/v1/L-1/customers/100", k.tok["L-1"], `{"emailAddress":"api@example.se"}`); res.Status != 200 {
		t.Fatalf("PATCH: %d", res.Status)
	}
	res := p.post("/console/customers/L-1/100/contact", url.Values{"version": {version}, "email": {"console@example.se"}, "msisdn": {"+46701234567"}})
	want(t, "a save over a newer version", res, 409)
	if !strings.Contains(res.body, "api@example.se") || !strings.Contains(res.body, "console@example.se") {
		t.Fatalf("the conflict does not show both:\n%s", res.body)
	}
	if c := k.Call("GET", "/ledger/customer/v1/L-1/customers/100", k.tok["L-1"], "").JSON(t); c["emailAddress"] != "api@example.se" {
		t.Fatalf("the conflicting save wrote: %v", c["emailAddress"])
	}
	// Saving again from the conflict is a deliberate choice, and works.
	newer := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(res.body)[1]
	want(t, "a save after the conflict", p.post("/console/customers/L-1/100/contact", url.Values{"version": {newer}, "email": {"console@example.se"}, "msisdn": {"+46701234567"}}), 303)
	// A refused value names the field.
	res = p.post("/console/customers/L-1/100/contact", url.Values{"version": {"99"}, "email": {"not an address"}})
	if res.status != 409 && res.status != 400 {
		t.Fatalf("a bad e-mail address: %d", res.status)
	}
}

// TestTexts: every text a page asks for exists in both languages.
func TestTexts(t *testing.T) {
	key := regexp.MustCompile(`\.T "([a-z0-9-]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range []string{"en", "sv"} {
				if !console.HasText(lang, m[1]) {
					t.Errorf("%s: %q has no %s text", f, m[1], lang)
				}
			}
		}
	}
}

// TestEditProperties: the form of contact data and properties changes
// what it shows, metadata line by line; only an admin sets a protected
// identity.
func TestEditProperties(t *testing.T) {
	k := start(t, apitest.SQLite)
	k.customer("L-1", "100", "Britt-Marie Axelstopp", "19811218-9876", "britt@axelstopp.com", "+46701234567", false)
	k.operator("agent", operator.Agent, "L-1")
	k.operator("admin", operator.Admin, "L-1")
	get := func() map[string]any {
		return k.Call("GET", "/ledger/customer/v1/L-1/customers/100", k.tok["L-1"], "").JSON(t)
	}
	save := func(p *person, version string, extra url.Values) page {
		form := url.Values{"version": {version}, "email": {"britt@axelstopp.com"}, "msisdn": {"+46701234567"}, "language": {"SV"},
			"distribution": {"postal"}, "status": {"active"}, "taxId": {"T-1"}, "metadata": {"crm=A-17\r\nnote = ring efter 17\r\n"}}
		for k, v := range extra {
			form[k] = v
		}
		return p.post("/console/customers/L-1/100/contact", form)
	}
	agent := k.signIn("agent")
	want(t, "save properties", save(agent, "1", url.Values{"protected": {"1"}}), 303)
	c := get()
	if c["distributionType"] != "postal" || c["preferredLanguageCode"] != "SV" || c["taxIdentificationNumber"] != "T-1" || c["protectedIdentity"] != false {
		t.Fatalf("after the agent's save: %v", c)
	}
	if m, _ := c["metadata"].(map[string]any); m["crm"] != "A-17" || m["note"] != "ring efter 17" {
		t.Fatalf("metadata: %v", c["metadata"])
	}
	want(t, "a metadata line without =", save(agent, "2", url.Values{"metadata": {"crm A-18"}}), 400)
	want(t, "a key removed", save(agent, "2", url.Values{"metadata": {"crm=A-18"}}), 303)
	if m, _ := get()["metadata"].(map[string]any); len(m) != 1 || m["crm"] != "A-18" {
		t.Fatalf("metadata after removing a key: %v", m)
	}
	admin := k.signIn("admin")
	want(t, "the admin protects", save(admin, "3", url.Values{"metadata": {"crm=A-18"}, "protected": {"1"}}), 303)
	if get()["protectedIdentity"] != true {
		t.Fatal("the admin's protection was not saved")
	}
	// Now the agent sees neither the tax id nor may change it.
	form := agent.get("/console/customers/L-1/100/contact")
	if strings.Contains(form.body, "T-1") || strings.Contains(form.body, `name="taxId"`) {
		t.Fatal("the agent's form shows a protected identity's tax id")
	}
}

// TestReviewedHoles: what a review of the console found, each shut.
func TestReviewedHoles(t *testing.T) {
	k := start(t, apitest.SQLite)
	k.customer("L-1", "100", "Britt-Marie Axelstopp", "19811218-9876", "britt@axelstopp.com", "+46701234567", false)
	k.customer("L-1", "200", "Sven Skyddad", "19121212-1212", "sven@example.se", "+46709876543", true)
	k.operator("agent", operator.Agent, "L-1")
	k.operator("admin", operator.Admin, "L-1")
	views := func() int {
		log := k.Call("GET", "/ledger/customer/v1/L-1/register-lookups?regNo=19121212-1212&countryCode=SE", k.tok["L-1"], "")
		return strings.Count(string(log.Body), `"tokenId":"operator:admin"`)
	}
	agent := k.signIn("agent")
	// A protected person's number finds nobody below admin: the search
	// would tell whose number it is.
	if res := agent.get("/console/?q=191212121212"); res.status != 200 || strings.Contains(res.body, "Sven Skyddad") {
		t.Fatalf("an agent finds a protected person by number: %d\n%s", res.status, res.body)
	}
	// Nor does an agent change a protected person's legal address from the register.
	want(t, "an agent updates a protected address", agent.post("/console/customers/L-1/200/update-from-register", url.Values{"version": {"1"}}), 403)
	// Domain refusals are pages of their own, never a 500.
	want(t, "without a register", agent.post("/console/customers/L-1/100/update-from-register", url.Values{"version": {"1"}}), 503)
	want(t, "removing a billing address there is none of", agent.post("/console/customers/L-1/100/address/billing", url.Values{"version": {"1"}, "remove": {"1"}}), 404)
	// Only what the console saved is announced.
	if res := agent.get("/console/customers/L-1/100?saved=Ring+08-123+45+67"); strings.Contains(res.body, "Ring 08") || strings.Contains(res.body, "saved-") {
		t.Fatal("the saved notice repeats what the address said")
	}
	// The language form comes back to the page it was on.
	res := agent.post("/console/language", url.Values{"lang": {"sv"}, "back": {"/console/customers/L-1/100"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/console/customers/L-1/100" {
		t.Fatalf("the language form: %d to %q", res.status, res.header.Get("Location"))
	}
	// Every page that shows an admin the protected person is in the disclosure log first.
	admin := k.signIn("admin")
	for _, path := range []string{"/console/customers/L-1/200", "/console/customers/L-1/200/contact", "/console/customers/L-1/200/address/legal",
		"/console/customers/L-1/200/export", "/console/?q=191212121212"} {
		before := views()
		if res := admin.get(path); res.status != 200 && res.status != http.StatusSeeOther {
			t.Fatalf("admin %s: %d", path, res.status)
		}
		if views() != before+1 {
			t.Fatalf("the admin's view of %s is not in the disclosure log", path)
		}
	}
	// Signing in uses none of the name's attempts; failing does.
	for i := range 8 {
		k.signIn("agent")
		_ = i
	}
}

// TestSignInThrottleBehindAProxy: with --trust-proxy the sign-in
// throttle counts the client's address the proxy names, as the API's
// limits do.
func TestSignInThrottleBehindAProxy(t *testing.T) {
	e := apitest.StartWith(t, apitest.SQLite, func(c *app.Config) { c.HTTP.TrustProxy = true })
	k := &kund{Env: e, t: t, tok: map[string]string{}}
	attempt := func(from string, n int) int {
		jar, _ := cookiejar.New(nil)
		p := &person{k: k, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		form := p.get("/console/sign-in")
		m := csrfField.FindStringSubmatch(form.body)
		body := url.Values{"csrf": {m[1]}, "name": {"someone" + strconv.Itoa(n)}, "password": {"wrong password!"}}
		req, _ := http.NewRequest("POST", k.URL+"/console/sign-in", strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", from)
		return p.do(req).status
	}
	for i := range 20 {
		if got := attempt("203.0.113.7", i); got != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, got)
		}
	}
	if got := attempt("203.0.113.7", 20); got != http.StatusTooManyRequests {
		t.Fatalf("the 21st attempt of one client: %d", got)
	}
	if got := attempt("198.51.100.9", 21); got != http.StatusUnauthorized {
		t.Fatalf("another client behind the same proxy: %d", got)
	}
}
