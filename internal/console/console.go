// Package console is the back-office web console at /console/ (DESIGN.md,
// "Back-office console"; docs/console.md): server-rendered html/template
// pages with embedded assets, usable without JavaScript, through which
// operators find customers, read everything Kund holds about them, and
// change them with the same domain operations the API uses.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
	"github.com/kund/kund/internal/operator"
	"github.com/kund/kund/internal/register"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Base is where the console is served.
const Base = "/console/"

// csp allows the console's own stylesheet and images and nothing else: no
// script at all, forms only to the console itself, no framing.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config is what a Console needs.
type Config struct {
	Service  *customer.Service
	Register *register.Service
	Store    operator.Store
	Log      *slog.Logger
	Now      func() time.Time
	// PublicURL is where operators reach Kund; its cookies are Secure
	// unless it is http://.
	PublicURL string
	// TrustProxy counts sign-in attempts by the last hop of
	// X-Forwarded-For, as the HTTP front's limits do (--trust-proxy).
	TrustProxy bool
	// Export is a customer's access export as the API answers it
	// (httpapi.Server.Export).
	Export func(ctx context.Context, ledgerNo, no string) ([]byte, error)
}

// Console serves the console's pages.
type Console struct {
	svc        *customer.Service
	reg        *register.Service
	store      operator.Store
	log        *slog.Logger
	now        func() time.Time
	secure     bool // cookies carry Secure
	pages      map[string]*template.Template
	auth       *authState
	trustProxy bool
	// exportDoc is Config.Export.
	exportDoc func(ctx context.Context, ledgerNo, no string) ([]byte, error)
}

// Session is a signed-in operator's request: who, the CSRF token of the
// session (every form carries it), and the language they read.
type Session struct {
	Operator *operator.Operator
	CSRF     string
	Lang     string // "sv" or "en"
	Here     string // the page's path and query, where the language form comes back to
}

// New returns a Console.
func New(cfg Config) (*Console, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	c := &Console{svc: cfg.Service, reg: cfg.Register, store: cfg.Store, log: cfg.Log, now: cfg.Now,
		secure: !strings.HasPrefix(cfg.PublicURL, "http://"), exportDoc: cfg.Export, trustProxy: cfg.TrustProxy}
	var err error
	if c.pages, err = parsePages(); err != nil {
		return nil, err
	}
	c.auth = newAuthState(c)
	return c, nil
}

// parsePages parses each page with the layout it is drawn in.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		page := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if page == "layout" || strings.HasPrefix(page, "_") {
			continue // drawn in every page
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, name)
		if err != nil {
			return nil, fmt.Errorf("console: %s: %w", name, err)
		}
		pages[page] = t
	}
	return pages, nil
}

// Routes mounts the console with handle (the HTTP front's mux).
func (c *Console) Routes(handle func(pattern string, h http.Handler)) {
	static, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix(Base+"static/", http.FileServerFS(static))
	handle("GET "+Base+"static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	}))
	c.authRoutes(handle)
	c.pageRoutes(handle)
}

// view is what every page's template gets: the session (nil on the
// sign-in page), its texts, and the page's own data.
type view struct {
	S    *Session
	Lang string
	Data any
}

// T is the text of key in the view's language.
func (v view) T(key string) string { return text(v.Lang, key) }

// render draws page with data in the layout, with status.
func (c *Console) render(w http.ResponseWriter, s *Session, lang string, status int, page string, data any) {
	t, ok := c.pages[page]
	if !ok {
		panic("console: no page " + page) // every page is embedded
	}
	if s != nil {
		lang = s.Lang
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", view{S: s, Lang: lang, Data: data}); err != nil {
		c.log.Error("console: page not drawn", slog.String("page", page), slog.String("error", err.Error()))
		http.Error(w, "The page could not be drawn.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// fail draws the page of an error: a domain error as its status and
// message, anything else as 500 (logged without its details' personal
// data).
func (c *Console) fail(w http.ResponseWriter, s *Session, err error) {
	status, msg := http.StatusInternalServerError, "internal"
	var ce *customer.Error
	if errors.As(err, &ce) {
		// The native API's status of the code: one table for both.
		status = httpapi.Status(ce.Code)
		switch {
		case status == http.StatusNotFound:
			msg = "not-found"
		case status == http.StatusGone:
			msg = "erased"
		case status == http.StatusUnauthorized, status == http.StatusForbidden:
			// The console's own sign-in decides who is signed in; a refusal
			// of the domain's is a missing right.
			status, msg = http.StatusForbidden, "forbidden"
		case status == http.StatusConflict, status == http.StatusPreconditionFailed:
			msg = "conflict"
		case status == http.StatusTooManyRequests, status >= 500 && status != http.StatusInternalServerError:
			msg = "unavailable"
		case status >= 400 && status < 500:
			msg = "invalid"
		}
	}
	if status == http.StatusInternalServerError {
		c.log.Error("console: request failed", slog.String("error", customer.ErrorCode(err)))
	}
	lang := "en"
	if s != nil {
		lang = s.Lang
	}
	detail := ""
	if ce != nil && status != http.StatusInternalServerError {
		detail = ce.Message
	}
	c.render(w, s, lang, status, "error", struct{ Title, Detail string }{text(lang, "error-"+msg), detail})
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}
