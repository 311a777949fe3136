package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/operator"
)

// Cookies of the console, both only under /console/.
const (
	// SessionCookie holds a signed-in operator's session id; the store
	// keeps only its SHA-256.
	SessionCookie = "kund_console"
	// SignInCookie holds the sign-in form's token (login CSRF): without a
	// session there is nothing else to bind the form to, so the form's
	// hidden field must equal this cookie, which another site can neither
	// read nor send (SameSite=Strict).
	SignInCookie = "kund_console_signin"
)

// Sign-in throttles (docs/console.md): per name, 5 attempts and then one
// every 20 seconds, so a guesser gets about 4,300 guesses a day at one
// name; per client address, 20 and then one every 5 seconds, so one
// address cannot walk through many names.
const (
	nameBurst, nameEvery = 5, 20 * time.Second
	addrBurst, addrEvery = 20, 5 * time.Second
	// maxThrottled bounds each throttle's map. A full limiter is the same
	// as none and is dropped first; while the map is full of limiters in
	// use, attempts under new keys are refused until some refill.
	maxThrottled = 10_000
)

const (
	// signInTTL is how long a sign-in form may be filled in.
	signInTTL = time.Hour
	// seenEvery is how often a session's SeenAt is written: at most once
	// a minute, so that reading pages does not write on every request.
	seenEvery = time.Minute
	// maxForm bounds the body of a console form.
	maxForm = 1 << 20
)

type authState struct {
	names, addrs *throttle
	// hashing bounds the password checks under way: each holds 19 MiB
	// (operator.HashPassword), so a burst of sign-ins from many addresses
	// must not add up to more memory than Kund has.
	hashing chan struct{}
}

// hashSlots is how many password checks run at once; hashWait how long an
// attempt waits for one before it is answered 503.
const (
	hashSlots = 2
	hashWait  = 5 * time.Second
)

func newAuthState(*Console) *authState {
	return &authState{
		names:   newThrottle(nameBurst, nameEvery),
		addrs:   newThrottle(addrBurst, addrEvery),
		hashing: make(chan struct{}, hashSlots),
	}
}

// throttle is a bounded map of rate limiters, one per key, on the
// console's clock.
type throttle struct {
	mu    sync.Mutex
	burst int
	every time.Duration
	m     map[string]*rate.Limiter
}

func newThrottle(burst int, every time.Duration) *throttle {
	return &throttle{burst: burst, every: every, m: map[string]*rate.Limiter{}}
}

// has reports whether key has an attempt left at now, without taking it.
func (t *throttle) has(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.m[key]
	return !ok || l.TokensAt(now) >= 1
}

// allow takes one attempt of key at now, or reports that it has none left.
func (t *throttle) allow(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.m[key]
	if !ok {
		if len(t.m) >= maxThrottled {
			for k, l := range t.m {
				if l.TokensAt(now) >= float64(t.burst) {
					delete(t.m, k)
				}
			}
			if len(t.m) >= maxThrottled {
				return false
			}
		}
		l = rate.NewLimiter(rate.Every(t.every), t.burst)
		t.m[key] = l
	}
	return l.AllowN(now, 1)
}

// randomToken is 32 random bytes in base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

func equalToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// cookie is a console cookie with its attributes: HttpOnly, SameSite
// Strict, under /console/, Secure unless the console is served over http.
// maxAge 0 is a session cookie (gone when the browser closes), negative
// deletes it.
func (c *Console) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: Base, MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteStrictMode}
}

// requestLang is the language of a page drawn before sign-in: Swedish
// when the browser prefers it, else English.
func requestLang(r *http.Request) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "sv") {
		return "sv"
	}
	return "en"
}

// localPath returns p if it is a path of the console (with its query),
// else Base: a redirect after sign-in or a language change never leaves
// the console, whatever a link or a Referer said.
func localPath(p string) string {
	if p == "" || strings.ContainsAny(p, "\\\r\n\t") || strings.HasPrefix(p, "//") {
		return Base
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return Base
	}
	if clean := path.Clean(u.Path); clean != strings.TrimSuffix(Base, "/") && !strings.HasPrefix(clean, Base) {
		return Base
	}
	return u.RequestURI()
}

// signInPage is the sign-in form's data.
type signInPage struct {
	Name, Next, Token string
	Message           string // a text key, or ""
}

// authRoutes mounts sign-in, sign-out and the language form.
func (c *Console) authRoutes(handle func(string, http.Handler)) {
	handle("GET "+Base+"sign-in", http.HandlerFunc(c.signInForm))
	handle("POST "+Base+"sign-in", http.HandlerFunc(c.signIn))
	handle("POST "+Base+"sign-out", http.HandlerFunc(c.signOut))
	handle("POST "+Base+"language", c.authedStored(c.language))
}

// signInToken is the sign-in form's token of the browser: its cookie's,
// or a new one set in the cookie.
func (c *Console) signInToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(SignInCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	t := randomToken()
	http.SetCookie(w, c.cookie(SignInCookie, t, int(signInTTL/time.Second)))
	return t
}

func (c *Console) drawSignIn(w http.ResponseWriter, r *http.Request, status int, name, next, message string) {
	page := signInPage{Name: name, Next: localPath(next), Token: c.signInToken(w, r), Message: message}
	c.render(w, nil, requestLang(r), status, "signin", page)
}

// signInForm draws the sign-in page; a signed-in operator goes on.
func (c *Console) signInForm(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if _, _, err := c.session(r); err == nil {
		redirect(w, r, localPath(next))
		return
	}
	c.drawSignIn(w, r, http.StatusOK, "", next, "")
}

// signIn checks a name and password. An unknown name, a disabled operator
// and a wrong password get the same answer, after the same work.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		c.fail(w, nil, customer.Errorf(customer.EVALIDATION, "The form could not be read."))
		return
	}
	name, password, next := r.PostForm.Get("name"), r.PostForm.Get("password"), r.PostForm.Get("next")
	ck, err := r.Cookie(SignInCookie)
	if err != nil || !equalToken(ck.Value, r.PostForm.Get("csrf")) {
		c.drawSignIn(w, r, http.StatusForbidden, name, next, "sign-in-expired")
		return
	}
	// Names that cannot be an operator's share one throttle and are never
	// looked up, so that neither the map nor the store sees what they are.
	key, o, err := "\x00invalid", (*operator.Operator)(nil), customer.Errorf(customer.ENOTFOUND, "No such operator.")
	if operator.ValidName(name) {
		key = name
	}
	now := c.now()
	// Every attempt of an address counts; of a name only the failures, so
	// that signing in does not use up the operator's own attempts.
	if !c.auth.addrs.allow(edge.ClientAddr(r, c.trustProxy), now) {
		w.Header().Set("Retry-After", strconv.Itoa(int(addrEvery/time.Second)))
		c.drawSignIn(w, r, http.StatusTooManyRequests, name, next, "sign-in-throttled")
		return
	}
	if !c.auth.names.has(key, now) {
		w.Header().Set("Retry-After", strconv.Itoa(int(nameEvery/time.Second)))
		c.drawSignIn(w, r, http.StatusTooManyRequests, name, next, "sign-in-throttled")
		return
	}
	select {
	case c.auth.hashing <- struct{}{}:
		defer func() { <-c.auth.hashing }()
	case <-time.After(hashWait):
		w.Header().Set("Retry-After", "1")
		c.drawSignIn(w, r, http.StatusServiceUnavailable, name, next, "sign-in-throttled")
		return
	}
	if key == name {
		o, err = c.store.Operator(r.Context(), name)
	}
	switch {
	case customer.ErrorCode(err) == customer.ENOTFOUND || (err == nil && o.Disabled):
		operator.VerifyNoOne(password)
		o = nil
	case err != nil:
		c.fail(w, nil, err)
		return
	case !operator.VerifyPassword(o.PasswordHash, password):
		o = nil
	}
	if o == nil {
		c.auth.names.allow(key, now)
		c.drawSignIn(w, r, http.StatusUnauthorized, name, next, "sign-in-failed")
		return
	}
	// A session cookie the browser still had is ended: every sign-in
	// gets a new id, so an id planted before sign-in is worth nothing.
	if old, err := r.Cookie(SessionCookie); err == nil {
		if err := c.store.DeleteOperatorSession(r.Context(), hashID(old.Value)); err != nil {
			c.fail(w, nil, err)
			return
		}
	}
	id := randomToken()
	s := &operator.Session{IDHash: hashID(id), OperatorID: o.ID, CSRF: randomToken(), Lang: requestLang(r), CreatedAt: now, SeenAt: now}
	if err := c.store.CreateOperatorSession(r.Context(), s); err != nil {
		c.fail(w, nil, err)
		return
	}
	http.SetCookie(w, c.cookie(SignInCookie, "", -1))
	http.SetCookie(w, c.cookie(SessionCookie, id, 0))
	redirect(w, r, localPath(next))
}

// signOut ends the session. A session already ended just goes to the
// sign-in page; a live one must carry its CSRF token, so that another
// site cannot sign an operator out.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	st, o, err := c.session(r)
	if errors.Is(err, errNoSession) {
		http.SetCookie(w, c.cookie(SessionCookie, "", -1))
		redirect(w, r, Base+"sign-in")
		return
	} else if err != nil {
		c.fail(w, nil, err)
		return
	}
	if !equalToken(st.CSRF, r.PostFormValue("csrf")) {
		c.fail(w, &Session{Operator: o, CSRF: st.CSRF, Lang: st.Lang}, errCSRF)
		return
	}
	if err := c.store.DeleteOperatorSession(r.Context(), st.IDHash); err != nil {
		c.fail(w, nil, err)
		return
	}
	http.SetCookie(w, c.cookie(SessionCookie, "", -1))
	redirect(w, r, Base+"sign-in")
}

// language sets the language of the session and goes back to the page
// the form was on.
func (c *Console) language(w http.ResponseWriter, r *http.Request, st *operator.Session, s *Session) error {
	lang := r.PostFormValue("lang")
	if lang != "sv" && lang != "en" {
		return customer.Errorf(customer.EVALIDATION, "The language is sv or en.")
	}
	st.Lang = lang
	if err := c.store.UpdateOperatorSession(r.Context(), st); err != nil {
		return err
	}
	// The form names the page it is on (Kund sends no Referer: its
	// Referrer-Policy is no-referrer); a Referer is the fallback.
	back := Base
	if b := r.PostFormValue("back"); b != "" {
		back = localPath(b)
	} else if ref, err := url.Parse(r.Referer()); err == nil && (ref.Host == "" || ref.Host == r.Host) {
		back = localPath(ref.RequestURI())
	}
	redirect(w, r, back)
	return nil
}

var (
	errNoSession = errors.New("no session")
	errCSRF      = customer.Errorf(customer.EFORBIDDEN, "The form's security token is missing or wrong; reload the page and try again.")
)

// session is the request's live session and its operator, or
// errNoSession: no cookie, an unknown id, a session past its idle or
// absolute timeout, or a disabled operator (the last two also end the
// session in the store).
func (c *Console) session(r *http.Request) (*operator.Session, *operator.Operator, error) {
	ck, err := r.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil, errNoSession
	}
	st, err := c.store.OperatorSession(r.Context(), hashID(ck.Value))
	if customer.ErrorCode(err) == customer.ENOTFOUND {
		return nil, nil, errNoSession
	} else if err != nil {
		return nil, nil, err
	}
	now := c.now()
	var o *operator.Operator
	if now.Sub(st.SeenAt) < operator.IdleTimeout && now.Sub(st.CreatedAt) < operator.AbsoluteTimeout {
		o, err = c.store.OperatorByID(r.Context(), st.OperatorID)
		if err != nil && customer.ErrorCode(err) != customer.ENOTFOUND {
			return nil, nil, err
		}
	}
	if o == nil || o.Disabled {
		if err := c.store.DeleteOperatorSession(r.Context(), st.IDHash); err != nil {
			return nil, nil, err
		}
		return nil, nil, errNoSession
	}
	if now.Sub(st.SeenAt) >= seenEvery {
		st.SeenAt = now
		if err := c.store.UpdateOperatorSession(r.Context(), st); customer.ErrorCode(err) == customer.ENOTFOUND {
			return nil, nil, errNoSession // ended meanwhile
		} else if err != nil {
			return nil, nil, err
		}
	}
	return st, o, nil
}

// authed runs a page for a signed-in operator. Without a live session a
// GET goes to the sign-in page (and back after it), anything else is
// refused; every request but GET and HEAD must carry the session's CSRF
// token in its form field csrf. An error h returns is drawn as its page.
func (c *Console) authed(h func(w http.ResponseWriter, r *http.Request, s *Session) error) http.Handler {
	return c.authedStored(func(w http.ResponseWriter, r *http.Request, _ *operator.Session, s *Session) error {
		return h(w, r, s)
	})
}

// authedStored is authed with the stored session too, for the handlers
// that change it.
func (c *Console) authedStored(h func(w http.ResponseWriter, r *http.Request, st *operator.Session, s *Session) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		safe := r.Method == http.MethodGet || r.Method == http.MethodHead
		if !safe {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		st, o, err := c.session(r)
		if errors.Is(err, errNoSession) {
			if _, err := r.Cookie(SessionCookie); err == nil {
				http.SetCookie(w, c.cookie(SessionCookie, "", -1)) // a dead id is of no use
			}
			if safe {
				redirect(w, r, Base+"sign-in?next="+url.QueryEscape(r.URL.RequestURI()))
				return
			}
			c.fail(w, nil, customer.Errorf(customer.EFORBIDDEN, "Not signed in, or the session has ended; sign in again."))
			return
		} else if err != nil {
			c.fail(w, nil, err)
			return
		}
		s := &Session{Operator: o, CSRF: st.CSRF, Lang: st.Lang, Here: r.URL.RequestURI()}
		if !safe && !equalToken(st.CSRF, r.PostFormValue("csrf")) {
			c.fail(w, s, errCSRF)
			return
		}
		if err := h(w, r, st, s); err != nil {
			c.fail(w, s, err)
		}
	})
}

// redirect is a 303 that no cache keeps.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
}
