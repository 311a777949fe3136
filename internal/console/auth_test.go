package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/operator"
	"github.com/kund/kund/internal/sqlite"
)

const password = "rätt häst batteri"

// console is a Console on a real SQLite store behind a real HTTP server,
// on a clock the test moves, with a test page for signed-in operators.
type consoleTest struct {
	t     *testing.T
	c     *Console
	store *sqlite.DB
	srv   *httptest.Server
	log   bytes.Buffer
	mu    sync.Mutex
	now   time.Time
}

func newConsoleTest(t *testing.T, publicURL string) *consoleTest {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kund.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseKeyring(ctx, keys); err != nil {
		t.Fatal(err)
	}
	ct := &consoleTest{t: t, store: db, now: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { ct.mu.Lock(); defer ct.mu.Unlock(); return ct.now }
	ct.c, err = New(Config{Service: customer.NewService(db, clock), Store: db, Now: clock, PublicURL: publicURL,
		Log: slog.New(slog.NewTextHandler(&syncWriter{w: &ct.log}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ct.c.Routes(mux.Handle)
	page := ct.c.authed(func(w http.ResponseWriter, r *http.Request, s *Session) error {
		if r.URL.Query().Get("fail") != "" {
			return customer.Errorf(customer.ENOTFOUND, "No such thing.")
		}
		fmt.Fprintf(w, "page of %s (%s) in %s", s.Operator.Name, s.Operator.Role, s.Lang)
		return nil
	})
	mux.Handle("GET /console/test-page", page)
	mux.Handle("POST /console/test-page", page)
	ct.srv = httptest.NewServer(mux)
	t.Cleanup(ct.srv.Close)
	return ct
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (ct *consoleTest) advance(d time.Duration) { ct.mu.Lock(); ct.now = ct.now.Add(d); ct.mu.Unlock() }

func (ct *consoleTest) operator(name string, role operator.Role) *operator.Operator {
	ct.t.Helper()
	h, err := operator.HashPassword(password)
	if err != nil {
		ct.t.Fatal(err)
	}
	o := &operator.Operator{Name: name, Role: role, Ledgers: []string{"L-1"}, PasswordHash: h, CreatedAt: ct.now, UpdatedAt: ct.now}
	if err := ct.store.CreateOperator(context.Background(), o); err != nil {
		ct.t.Fatal(err)
	}
	return o
}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	ct  *consoleTest
	c   *http.Client
	jar *cookiejar.Jar
}

func (ct *consoleTest) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{ct: ct, jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) answer {
	b.ct.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.ct.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) answer {
	b.ct.t.Helper()
	req, _ := http.NewRequest("GET", b.ct.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values, header ...string) answer {
	b.ct.t.Helper()
	req, _ := http.NewRequest("POST", b.ct.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func token(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in\n%s", body)
	}
	return m[1]
}

// signIn fills in the sign-in form as a person would.
func (b *browser) signIn(name, pw, next string) answer {
	b.ct.t.Helper()
	form := b.get("/console/sign-in")
	if form.status != 200 {
		b.ct.t.Fatalf("sign-in page: %d", form.status)
	}
	return b.post("/console/sign-in", url.Values{"csrf": {token(b.ct.t, form.body)}, "name": {name}, "password": {pw}, "next": {next}})
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.ct.srv.URL + "/console/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func wantStatus(t *testing.T, what string, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, a.status, status, a.body)
	}
}

func wantRedirect(t *testing.T, what string, a answer, to string) {
	t.Helper()
	if a.status != http.StatusSeeOther || a.header.Get("Location") != to {
		t.Fatalf("%s: %d to %q, want 303 to %q\n%s", what, a.status, a.header.Get("Location"), to, a.body)
	}
}

func TestSignInPage(t *testing.T) {
	ct := newConsoleTest(t, "")
	a := ct.browser().get("/console/sign-in")
	wantStatus(t, "sign-in page", a, 200)
	if got := a.header.Get("Content-Security-Policy"); got != csp || !strings.Contains(got, "default-src 'none'") {
		t.Fatalf("CSP of the sign-in page: %q", got)
	}
	for _, want := range []string{`<form method="post" action="/console/sign-in">`, `<label for="name">Name</label>`, `id="name" name="name"`,
		`<label for="password">Password</label>`, `type="password" id="password" name="password"`} {
		if !strings.Contains(a.body, want) {
			t.Errorf("the sign-in page has no %s:\n%s", want, a.body)
		}
	}
	if strings.Contains(a.body, "/console/sign-out") {
		t.Error("the sign-in page has the header of a session")
	}
	req, _ := http.NewRequest("GET", ct.srv.URL+"/console/sign-in", nil)
	req.Header.Set("Accept-Language", "sv-SE,sv;q=0.9,en;q=0.5")
	if sv := ct.browser().do(req); !strings.Contains(sv.body, `<label for="password">Lösenord</label>`) || !strings.Contains(sv.body, `lang="sv"`) {
		t.Errorf("a Swedish browser's sign-in page:\n%s", sv.body)
	}
}

func TestSignInTexts(t *testing.T) {
	for _, key := range []string{"sign-in", "operator-name", "password", "sign-in-failed", "sign-in-throttled", "sign-in-expired"} {
		for _, lang := range Languages {
			if _, ok := texts[lang][key]; !ok {
				t.Errorf("no %s text %q", lang, key)
			}
		}
	}
}

func TestSignIn(t *testing.T) {
	ct := newConsoleTest(t, "")
	ct.operator("anna@example.se", operator.Agent)
	disabled := ct.operator("disabled-op", operator.Admin)
	if _, err := ct.store.UpdateOperator(context.Background(), disabled.Name, func(o *operator.Operator) error { o.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}

	b := ct.browser()
	wantRedirect(t, "a page before sign-in", b.get("/console/test-page?x=1"), "/console/sign-in?next=%2Fconsole%2Ftest-page%3Fx%3D1")
	wantRedirect(t, "sign-in", b.signIn("anna@example.se", password, "/console/test-page?x=1"), "/console/test-page?x=1")
	if c := b.cookie(SignInCookie); c != nil {
		t.Error("the sign-in form's cookie outlived the sign-in")
	}
	a := b.get("/console/test-page")
	wantStatus(t, "the page after sign-in", a, 200)
	if a.body != "page of anna@example.se (agent) in en" {
		t.Fatalf("page: %q", a.body)
	}
	wantRedirect(t, "the sign-in page when signed in", b.get("/console/sign-in"), "/console/")
	if a := b.get("/console/test-page?fail=1"); a.status != 404 || !strings.Contains(a.body, "No such thing.") || !strings.Contains(a.body, "/console/sign-out") {
		t.Fatalf("an error of the page: %d\n%s", a.status, a.body)
	}

	// A wrong password, an unknown name and a disabled operator get one
	// answer: the same status and page but for the name typed.
	var pages []string
	for _, try := range [][2]string{{"anna@example.se", "wrong password!"}, {"nobody@example.se", password}, {"disabled-op", password}, {"anna@example.se", ""}} {
		b := ct.browser()
		a := b.signIn(try[0], try[1], "")
		wantStatus(t, "sign-in as "+try[0], a, http.StatusUnauthorized)
		if b.cookie(SessionCookie) != nil {
			t.Fatalf("a failed sign-in as %s set a session", try[0])
		}
		if !strings.Contains(a.body, "The name or the password is wrong") {
			t.Fatalf("failed sign-in page:\n%s", a.body)
		}
		pages = append(pages, strings.ReplaceAll(strings.ReplaceAll(a.body, token(t, a.body), "TOKEN"), try[0], "NAME"))
	}
	for i := range pages[1:] {
		if pages[i+1] != pages[0] {
			t.Fatalf("answers differ:\n%s\n----\n%s", pages[0], pages[i+1])
		}
	}
	if strings.Contains(ct.log.String(), password) || strings.Contains(ct.log.String(), "wrong password!") {
		t.Fatal("a password is in the log")
	}
}

func TestSessionCookie(t *testing.T) {
	for _, tt := range []struct {
		publicURL string
		secure    bool
	}{{"", true}, {"https://kund.example", true}, {"http://127.0.0.1:8080", false}} {
		ct := newConsoleTest(t, tt.publicURL)
		ct.operator("anna", operator.Viewer)
		b := ct.browser()
		form := b.get("/console/sign-in")
		a := b.post("/console/sign-in", url.Values{"csrf": {token(t, form.body)}, "name": {"anna"}, "password": {password}})
		wantRedirect(t, "sign-in", a, "/console/")
		var session, signin *http.Cookie
		for _, c := range (&http.Response{Header: a.header}).Cookies() {
			switch c.Name {
			case SessionCookie:
				session = c
			case SignInCookie:
				signin = c
			}
		}
		if session == nil || len(session.Value) != 43 {
			t.Fatalf("%q: no session cookie of 32 random bytes: %+v", tt.publicURL, session)
		}
		raw := strings.Join(a.header.Values("Set-Cookie"), "\n")
		if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/console/" || session.Secure != tt.secure ||
			session.MaxAge != 0 || !session.Expires.IsZero() || strings.Contains(raw, SessionCookie+"="+session.Value+"; Max-Age") {
			t.Errorf("%q: session cookie %q", tt.publicURL, raw)
		}
		if signin == nil || signin.MaxAge >= 0 {
			t.Errorf("%q: the sign-in form's cookie is not deleted: %q", tt.publicURL, raw)
		}
		for _, c := range (&http.Response{Header: form.header}).Cookies() {
			if c.Name == SignInCookie && (!c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != tt.secure || c.MaxAge <= 0 || c.MaxAge > 3600) {
				t.Errorf("%q: the sign-in form's cookie %+v", tt.publicURL, c)
			}
		}
		// Only the id's hash is stored.
		if _, err := ct.store.OperatorSession(context.Background(), []byte(session.Value)); customer.ErrorCode(err) != customer.ENOTFOUND {
			t.Errorf("the session is found by its id in clear: %v", err)
		}
		if _, err := ct.store.OperatorSession(context.Background(), hashID(session.Value)); err != nil {
			t.Errorf("the session is not found by its id's hash: %v", err)
		}
	}
}

func TestLoginCSRF(t *testing.T) {
	ct := newConsoleTest(t, "")
	ct.operator("anna", operator.Admin)
	creds := url.Values{"name": {"anna"}, "password": {password}}

	// Another site's form: no cookie of the sign-in form goes with it.
	b := ct.browser()
	a := b.post("/console/sign-in", url.Values{"csrf": {"x"}, "name": creds["name"], "password": creds["password"]})
	wantStatus(t, "sign-in without the form's cookie", a, http.StatusForbidden)
	if b.cookie(SessionCookie) != nil {
		t.Fatal("a sign-in without the form's cookie set a session")
	}
	if !strings.Contains(a.body, "The sign-in form had expired") {
		t.Fatalf("page:\n%s", a.body)
	}
	// The page refused is a fresh form that works.
	creds.Set("csrf", token(t, a.body))
	wantRedirect(t, "the form after a refusal", b.post("/console/sign-in", creds), "/console/")

	// The cookie without its field, or with another value.
	for _, field := range []string{"", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		b := ct.browser()
		b.get("/console/sign-in")
		wantStatus(t, "sign-in with the field "+field, b.post("/console/sign-in", url.Values{"csrf": {field}, "name": creds["name"], "password": creds["password"]}), http.StatusForbidden)
		if b.cookie(SessionCookie) != nil {
			t.Fatal("a refused sign-in set a session")
		}
	}
}

func TestSignInNext(t *testing.T) {
	ct := newConsoleTest(t, "")
	ct.operator("anna", operator.Admin)
	for next, want := range map[string]string{
		"/console/customers/L-1/7?tab=history": "/console/customers/L-1/7?tab=history",
		"":                                     "/console/",
		"//evil.example":                       "/console/",
		"//evil.example/console/":              "/console/",
		"https://evil.example":                 "/console/",
		"https://evil.example/console/":        "/console/",
		"/\\evil.example":                      "/console/",
		"/console/\\\\evil.example":            "/console/",
		"/api/v1/customers":                    "/console/",
		"/console/../api":                      "/console/",
		"javascript:alert(1)":                  "/console/",
		"/console":                             "/console",
	} {
		ct.advance(nameEvery) // each sign-in is an attempt of the name
		wantRedirect(t, "next "+next, ct.browser().signIn("anna", password, next), want)
	}
}

func TestSignInThrottle(t *testing.T) {
	t.Run("per name", func(t *testing.T) {
		ct := newConsoleTest(t, "")
		ct.operator("anna", operator.Viewer)
		b := ct.browser()
		for i := range nameBurst {
			wantStatus(t, fmt.Sprint("attempt ", i+1), b.signIn("anna", "wrong password!", ""), http.StatusUnauthorized)
		}
		a := b.signIn("anna", password, "")
		wantStatus(t, "the right password after the attempts", a, http.StatusTooManyRequests)
		if !strings.Contains(a.body, "Too many attempts") || b.cookie(SessionCookie) != nil {
			t.Fatalf("throttled:\n%s", a.body)
		}
		// An unknown name is throttled alike: the answer says nothing of
		// whether a name exists.
		for range nameBurst {
			ct.browser().signIn("nobody", password, "")
		}
		if u := ct.browser().signIn("nobody", password, ""); u.status != a.status ||
			strings.ReplaceAll(strings.ReplaceAll(u.body, token(t, u.body), ""), "nobody", "") != strings.ReplaceAll(strings.ReplaceAll(a.body, token(t, a.body), ""), "anna", "") {
			t.Fatalf("an unknown name's throttle answers otherwise: %d\n%s", u.status, u.body)
		}
		// Another name from the same address is not held up.
		ct.operator("bo", operator.Viewer)
		wantRedirect(t, "another name", ct.browser().signIn("bo", password, ""), "/console/")
		ct.advance(nameEvery - time.Second)
		wantStatus(t, "before the next attempt is due", b.signIn("anna", password, ""), http.StatusTooManyRequests)
		ct.advance(time.Second)
		wantRedirect(t, "when the next attempt is due", b.signIn("anna", password, ""), "/console/")
	})
	t.Run("per address", func(t *testing.T) {
		ct := newConsoleTest(t, "")
		ct.operator("anna", operator.Viewer)
		for i := range addrBurst {
			wantStatus(t, fmt.Sprint("attempt ", i+1), ct.browser().signIn(fmt.Sprintf("guess-%d", i), password, ""), http.StatusUnauthorized)
		}
		wantStatus(t, "a name not tried before", ct.browser().signIn("anna", password, ""), http.StatusTooManyRequests)
		ct.advance(addrEvery)
		wantRedirect(t, "when the address's next attempt is due", ct.browser().signIn("anna", password, ""), "/console/")
	})
}

func TestThrottleBounded(t *testing.T) {
	now := time.Now()
	th := newThrottle(2, time.Minute)
	for i := range maxThrottled {
		if !th.allow(fmt.Sprint(i), now) {
			t.Fatalf("key %d refused", i)
		}
	}
	// Full of limiters in use: a new key waits, an old one goes on.
	if th.allow("new", now) {
		t.Fatal("a new key was let in over the bound")
	}
	if !th.allow("0", now) || th.allow("0", now) {
		t.Fatal("an old key's limiter was lost")
	}
	// Once limiters have refilled they are dropped for new keys.
	if !th.allow("new", now.Add(2*time.Minute)) || len(th.m) > maxThrottled {
		t.Fatalf("refilled limiters were not dropped: %d", len(th.m))
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		ct := newConsoleTest(t, "")
		ct.operator("anna", operator.Viewer)
		b := ct.browser()
		b.signIn("anna", password, "")
		for range 3 {
			ct.advance(operator.IdleTimeout - time.Minute)
			wantStatus(t, "within the idle timeout", b.get("/console/test-page"), 200)
		}
		ct.advance(operator.IdleTimeout)
		wantRedirect(t, "idle for 30 minutes", b.get("/console/test-page"), "/console/sign-in?next=%2Fconsole%2Ftest-page")
		ct.advance(-operator.IdleTimeout)
		wantRedirect(t, "the same session later", b.get("/console/test-page"), "/console/sign-in?next=%2Fconsole%2Ftest-page")
	})
	t.Run("absolute", func(t *testing.T) {
		ct := newConsoleTest(t, "")
		ct.operator("anna", operator.Viewer)
		b := ct.browser()
		b.signIn("anna", password, "")
		for elapsed := time.Duration(0); elapsed < operator.AbsoluteTimeout-20*time.Minute; elapsed += 20 * time.Minute {
			ct.advance(20 * time.Minute)
			wantStatus(t, fmt.Sprint("in use after ", elapsed), b.get("/console/test-page"), 200)
		}
		csrf := b.sessionCSRF(t)
		ct.advance(20 * time.Minute) // 8 hours since sign-in
		wantRedirect(t, "8 hours after sign-in", b.get("/console/test-page"), "/console/sign-in?next=%2Fconsole%2Ftest-page")
		wantStatus(t, "a form after 8 hours", b.post("/console/test-page", url.Values{"csrf": {csrf}}), http.StatusForbidden)
	})
}

// sessionCSRF is the CSRF token of the browser's session, as its pages
// carry it.
func (b *browser) sessionCSRF(t *testing.T) string {
	t.Helper()
	c := b.cookie(SessionCookie)
	if c == nil {
		t.Fatal("no session")
	}
	s, err := b.ct.store.OperatorSession(context.Background(), hashID(c.Value))
	if err != nil {
		t.Fatal(err)
	}
	return s.CSRF
}

func TestSignOut(t *testing.T) {
	ct := newConsoleTest(t, "")
	ct.operator("anna", operator.Agent)
	b := ct.browser()
	b.signIn("anna", password, "")
	old := b.cookie(SessionCookie)
	page := b.get("/console/test-page?fail=1") // an error page has the header with the forms
	csrf := token(t, page.body)
	if csrf != b.sessionCSRF(t) {
		t.Fatal("the header's forms do not carry the session's token")
	}

	wantStatus(t, "sign-out without the token", b.post("/console/sign-out", nil), http.StatusForbidden)
	wantStatus(t, "sign-out with another token", b.post("/console/sign-out", url.Values{"csrf": {"AAAA" + csrf[4:]}}), http.StatusForbidden)
	wantStatus(t, "still signed in", b.get("/console/test-page"), 200)
	wantRedirect(t, "sign-out", b.post("/console/sign-out", url.Values{"csrf": {csrf}}), "/console/sign-in")
	if b.cookie(SessionCookie) != nil {
		t.Fatal("the cookie was not cleared")
	}
	// The old cookie, kept by someone, no longer works.
	replay := ct.browser()
	u, _ := url.Parse(ct.srv.URL + "/console/")
	replay.jar.SetCookies(u, []*http.Cookie{old})
	wantRedirect(t, "the old cookie", replay.get("/console/test-page"), "/console/sign-in?next=%2Fconsole%2Ftest-page")
	wantRedirect(t, "signing out twice", replay.post("/console/sign-out", url.Values{"csrf": {csrf}}), "/console/sign-in")
}

func TestDisabledOperatorSessionEnds(t *testing.T) {
	ct := newConsoleTest(t, "")
	ct.operator("anna", operator.Admin)
	b := ct.browser()
	b.signIn("anna", password, "")
	wantStatus(t, "before", b.get("/console/test-page"), 200)
	c := b.cookie(SessionCookie)
	if _, err := ct.store.UpdateOperator(context.Background(), "anna", func(o *operator.Operator) error { o.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, "after disable", b.get("/console/test-page"), "/console/sign-in?next=%2Fconsole%2Ftest-page")
	if _, err := ct.store.OperatorSession(context.Background(), hashID(c.Value)); customer.ErrorCode(err) != customer.ENOTFOUND {
		t.Fatalf("the session of a disabled operator is kept: %v", err)
	}
}

func TestCSRF(t *testing.T) {
	ct := newConsoleTest(t, "")
	ct.operator("anna", operator.Agent)
	b := ct.browser()
	b.signIn("anna", password, "")
	csrf := b.sessionCSRF(t)

	for what, form := range map[string]url.Values{
		"no token":             nil,
		"an empty token":       {"csrf": {""}},
		"a wrong token":        {"csrf": {"AAAA" + csrf[4:]}},
		"another's token":      {"csrf": {ct.otherSessionCSRF(t)}},
		"the token in a query": nil,
	} {
		path := "/console/test-page"
		if what == "the token in a query" {
			path += "?csrf=" + url.QueryEscape(csrf)
		}
		a := b.post(path, form)
		wantStatus(t, "a form with "+what, a, http.StatusForbidden)
		if !strings.Contains(a.body, "security token") {
			t.Fatalf("%s: page\n%s", what, a.body)
		}
	}
	wantStatus(t, "a form with its token", b.post("/console/test-page", url.Values{"csrf": {csrf}}), 200)

	// Without a session a form is refused, not redirected.
	wantStatus(t, "a form without a session", ct.browser().post("/console/test-page", url.Values{"csrf": {csrf}}), http.StatusForbidden)

	// The language form: CSRF-checked, back to the page it was on.
	wantStatus(t, "language without a token", b.post("/console/language", url.Values{"lang": {"sv"}}), http.StatusForbidden)
	wantRedirect(t, "language", b.post("/console/language", url.Values{"lang": {"sv"}, "csrf": {csrf}}, "Referer", ct.srv.URL+"/console/test-page?x=1"), "/console/test-page?x=1")
	if a := b.get("/console/test-page"); a.body != "page of anna (agent) in sv" {
		t.Fatalf("after the language form: %q", a.body)
	}
	if a := b.get("/console/test-page?fail=1"); !strings.Contains(a.body, `<html lang="sv">`) || !strings.Contains(a.body, "Logga ut") {
		t.Fatalf("a page after the language form is not in Swedish:\n%s", a.body)
	}
	wantRedirect(t, "language from another site", b.post("/console/language", url.Values{"lang": {"en"}, "csrf": {csrf}}, "Referer", "https://evil.example/console/x"), "/console/")
	wantRedirect(t, "language from outside the console", b.post("/console/language", url.Values{"lang": {"en"}, "csrf": {csrf}}, "Referer", ct.srv.URL+"/api/v1/x"), "/console/")
	wantStatus(t, "an unknown language", b.post("/console/language", url.Values{"lang": {"de"}, "csrf": {csrf}}), http.StatusBadRequest)
}

// otherSessionCSRF signs in another operator and returns its token.
func (ct *consoleTest) otherSessionCSRF(t *testing.T) string {
	t.Helper()
	ct.operator("other", operator.Agent)
	b := ct.browser()
	b.signIn("other", password, "")
	return b.sessionCSRF(t)
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/console/":               "/console/",
		"/console/x?y=1&z=%2F":    "/console/x?y=1&z=%2F",
		"/console/a/../b":         "/console/a/../b",
		"/console/../../etc":      "/console/",
		"/consolex":               "/console/",
		"//evil.example":          "/console/",
		"///evil.example":         "/console/",
		"https://evil.example":    "/console/",
		"http:/console/":          "/console/",
		"/console/\r\nSet-Cookie": "/console/",
		"%2F%2Fevil.example":      "/console/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q): got %q, want %q", in, got, want)
		}
	}
}
