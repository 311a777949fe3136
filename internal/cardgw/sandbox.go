// Package cardgw holds Kund's card gateways. Sandbox is the built-in one:
// it serves the card verification page itself, so that the whole
// recurring-card registration works and can be tested without a payment
// service provider. It never charges, and it keeps no card number: only a
// random token, the masked number and the expiry reach the store.
package cardgw

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/kund/kund/internal/nordic"

	"github.com/kund/kund/internal/customer"
)

// PagePath is where the sandbox serves its verification pages; the
// registration id follows.
const PagePath = "/sandbox/card-registrations/"

// Sandbox is the built-in card gateway.
type Sandbox struct {
	// Base is the public URL of Kund for the pages' links; empty: the
	// base the API request came in on.
	Base string
	svc  *customer.Service
	now  func() time.Time
}

// NewSandbox returns a sandbox gateway reporting to svc.
func NewSandbox(svc *customer.Service) *Sandbox { return &Sandbox{svc: svc, now: svc.Now} }

// Begin returns the sandbox page of the registration.
func (g *Sandbox) Begin(ctx context.Context, reg *customer.CardRegistration, base string) (string, error) {
	if g.Base != "" {
		base = g.Base
	}
	return strings.TrimSuffix(base, "/") + PagePath + reg.ID, nil
}

// Routes registers the sandbox pages with handle (a mux's Handle).
func (g *Sandbox) Routes(handle func(pattern string, h http.Handler)) {
	handle("GET "+PagePath+"{id}", http.HandlerFunc(g.page))
	handle("POST "+PagePath+"{id}", http.HandlerFunc(g.submit))
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kund sandbox: card verification</title></head>
<body>
<h1>Card verification (sandbox)</h1>
<p>This sandbox verifies a card without charging it. Test cards: any number that passes the Luhn check is
accepted (e.g. 5510 0000 0000 1232); one ending in 0002 is declined (e.g. 4000 0000 0000 0002).</p>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<label>Card number <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" maxlength="23"></label><br>
<label>Expiry (MM/YY) <input id="expiry" name="expiry" autocomplete="cc-exp" maxlength="7"></label><br>
<label>CVC <input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" maxlength="4"></label><br>
<button id="register" type="submit" name="action" value="register">Register card</button>
<button id="cancel" type="submit" name="action" value="cancel">Cancel</button>
</form>
</body>
</html>
`))

type pageData struct {
	Lang, Action, Error string
}

func (g *Sandbox) registration(w http.ResponseWriter, r *http.Request) *customer.CardRegistration {
	reg, err := g.svc.CardRegistrationByID(r.Context(), r.PathValue("id"))
	switch {
	case customer.ErrorCode(err) == customer.ENOTFOUND:
		http.Error(w, "There is no such card registration.", http.StatusNotFound)
		return nil
	case err != nil:
		http.Error(w, "The card registration cannot be shown now; try again.", http.StatusServiceUnavailable)
		return nil
	case reg.Status != customer.CardInitialized:
		http.Error(w, "This card registration has ended ("+reg.Status+").", http.StatusGone)
		return nil
	}
	return reg
}

func (g *Sandbox) render(w http.ResponseWriter, reg *customer.CardRegistration, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// No scripts, styles or frames; form-action stays open because the
	// answer to the form redirects to the client's completeUrl or cancelUrl.
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(status)
	pageTmpl.Execute(w, pageData{Lang: reg.Language, Action: PagePath + reg.ID, Error: msg})
}

func (g *Sandbox) page(w http.ResponseWriter, r *http.Request) {
	if reg := g.registration(w, r); reg != nil {
		g.render(w, reg, http.StatusOK, "")
	}
}

func (g *Sandbox) submit(w http.ResponseWriter, r *http.Request) {
	reg := g.registration(w, r)
	if reg == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		g.render(w, reg, http.StatusBadRequest, "The form could not be read.")
		return
	}
	var (
		status  string
		consent *customer.CardConsent
		target  = reg.CompleteURL
	)
	switch r.PostForm.Get("action") {
	case "cancel":
		status, target = customer.CardAborted, reg.CancelURL
	case "register":
		card, msg := CheckCard(r.PostForm.Get("cardNumber"), r.PostForm.Get("expiry"), r.PostForm.Get("cvc"), g.now())
		if msg != "" {
			g.render(w, reg, http.StatusBadRequest, msg)
			return
		}
		if strings.HasSuffix(card.number, "0002") {
			status = customer.CardFailed
			break
		}
		status = customer.CardCompleted
		consent = &customer.CardConsent{CardToken: uuid.NewString(), MaskedNumber: card.masked(),
			CardExpiry: fmt.Sprintf("%02d/%d", card.month, card.year), ConsentExpiry: fmt.Sprintf("%02d-%d", card.month, card.year)}
	default:
		g.render(w, reg, http.StatusBadRequest, "Choose Register card or Cancel.")
		return
	}
	if _, err := g.svc.FinishCardRegistration(r.Context(), reg.ID, status, consent); err != nil {
		if customer.ErrorCode(err) == customer.ECONFLICT {
			http.Error(w, "This card registration has ended.", http.StatusGone)
			return
		}
		http.Error(w, "The card registration could not be saved; try again.", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

type card struct {
	number      string
	month, year int
}

func (c card) masked() string {
	return c.number[:6] + strings.Repeat("*", len(c.number)-10) + c.number[len(c.number)-4:]
}

// CheckCard reads a card as typed: 12-19 digits (spaces allowed) passing
// the Luhn check, an expiry MM/YY (or MM/YYYY) not in the past and a CVC of
// 3 or 4 digits. The message says what is wrong, without the number.
func CheckCard(number, expiry, cvc string, now time.Time) (card, string) {
	var c card
	c.number = strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(number))
	if len(c.number) < 12 || len(c.number) > 19 || strings.Trim(c.number, "0123456789") != "" || !nordic.Luhn(c.number) {
		return c, "The card number is not valid."
	}
	mm, yy, ok := strings.Cut(strings.TrimSpace(expiry), "/")
	m, err1 := strconv.Atoi(mm)
	y, err2 := strconv.Atoi(yy)
	if len(yy) == 2 {
		y += 2000
	}
	if !ok || err1 != nil || err2 != nil || len(mm) != 2 || (len(yy) != 2 && len(yy) != 4) || m < 1 || m > 12 {
		return c, "The expiry date must be MM/YY."
	}
	if y < now.Year() || y == now.Year() && m < int(now.Month()) {
		return c, "The card has expired."
	}
	c.month, c.year = m, y
	cvc = strings.TrimSpace(cvc)
	if len(cvc) < 3 || len(cvc) > 4 || strings.Trim(cvc, "0123456789") != "" {
		return c, "The CVC must be 3 or 4 digits."
	}
	return c, ""
}
