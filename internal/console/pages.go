package console

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/operator"
	"github.com/kund/kund/internal/register"
)

// pageRoutes mounts the pages of a signed-in operator. Every page of a
// customer answers 404 for a ledger the operator is not given, exactly as
// for a customer that does not exist.
func (c *Console) pageRoutes(handle func(string, http.Handler)) {
	const one = Base + "customers/{ledgerNo}/{customerNo}"
	handle("GET "+Base+"{$}", c.authed(c.searchPage))
	handle("GET "+one, c.authed(c.customerPage))
	handle("GET "+one+"/contact", c.authed(c.contactForm))
	handle("POST "+one+"/contact", c.authed(c.saveContact))
	handle("GET "+one+"/address/{kind}", c.authed(c.addressForm))
	handle("POST "+one+"/address/{kind}", c.authed(c.saveAddress))
	handle("POST "+one+"/update-from-register", c.authed(c.updateFromRegister))
	handle("GET "+one+"/export", c.authed(c.export))
	handle("GET "+one+"/erase", c.authed(c.eraseForm))
	handle("POST "+one+"/erase", c.authed(c.erase))
}

// customerPath is the console page of a customer.
func customerPath(ledgerNo, no string) string {
	return Base + "customers/" + url.PathEscape(ledgerNo) + "/" + url.PathEscape(no)
}

// errNotFound is the answer for a customer of a ledger the operator is not
// given: the same as for one that does not exist.
func errNotFound() error {
	return customer.Errorf(customer.ECUSTOMERNOTFOUND, "The customer does not exist.")
}

func errForbidden(what string) error {
	return customer.Errorf(customer.EFORBIDDEN, "Your role may not %s.", what)
}

// asOperator is the context of a write made in the console: journaled
// with actor type operator and the operator's name.
func asOperator(r *http.Request, w http.ResponseWriter, s *Session) context.Context {
	return customer.WithJournal(r.Context(), customer.Journal{
		Actor:     customer.Actor{Type: customer.ActorOperator, ID: s.Operator.Name},
		RequestID: w.Header().Get("Request-Id"),
	})
}

// caller is the operator as the register operations name who asked.
func caller(s *Session, ledgerNo string) customer.Caller {
	return customer.Caller{TokenID: "operator:" + s.Operator.Name, Kind: "operator", LedgerNo: ledgerNo,
		Scopes: []customer.Scope{customer.ScopeRead, customer.ScopeWrite, customer.ScopeRegister}}
}

// load reads the customer of the page's path, for an operator who sees
// its ledger.
func (c *Console) load(r *http.Request, s *Session) (*customer.Customer, error) {
	ledgerNo, no := r.PathValue("ledgerNo"), r.PathValue("customerNo")
	if !s.Operator.Sees(ledgerNo) {
		return nil, errNotFound()
	}
	return c.svc.Customer(r.Context(), ledgerNo, no)
}

// disclose writes to the disclosure log that the operator is shown a
// protected person's identity number and addresses, before the page that
// shows them is drawn; it does nothing for anyone else.
func (c *Console) disclose(r *http.Request, s *Session, cu *customer.Customer) error {
	if !cu.ProtectedIdentity || !s.Operator.SeesProtected() {
		return nil
	}
	return c.reg.LogView(r.Context(), s.Operator.Name, cu)
}

// Search.

// searchTake is a page of search results.
const searchTake = 25

// maxHits bounds what one search gathers over all the operator's ledgers.
const maxHits = 500

type hit struct {
	Customer *customer.Customer
	Path     string
	Masked   bool
	By       string // what the query matched: customer-no, reg-no, email, phone, name
}

type searchData struct {
	Q, Ledger  string
	Ledgers    []string
	Searched   bool
	Hits       []hit
	Skip       int
	Prev, Next string
	Total      int
}

func (c *Console) searchPage(w http.ResponseWriter, r *http.Request, s *Session) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	ledger := r.URL.Query().Get("ledger")
	skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
	skip = max(skip, 0)
	d := searchData{Q: q, Ledger: ledger, Ledgers: s.Operator.Ledgers, Skip: skip}
	if q == "" {
		c.render(w, s, s.Lang, http.StatusOK, "search", d)
		return nil
	}
	ledgers := s.Operator.Ledgers
	if ledger != "" {
		if !s.Operator.Sees(ledger) {
			ledgers = nil
		} else {
			ledgers = []string{ledger}
		}
	}
	hits, exact, err := c.search(r.Context(), s.Operator, ledgers, q)
	if err != nil {
		return err
	}
	if exact != nil && skip == 0 {
		// The number found the protected person: that is a view of them.
		if err := c.disclose(r, s, exact); err != nil {
			return err
		}
		http.Redirect(w, r, customerPath(exact.LedgerNo, exact.No), http.StatusSeeOther)
		return nil
	}
	d.Searched, d.Total = true, len(hits)
	end := min(skip+searchTake, len(hits))
	if skip < len(hits) {
		d.Hits = hits[skip:end]
	}
	for _, h := range d.Hits {
		if err := c.disclose(r, s, h.Customer); err != nil {
			return err
		}
	}
	page := func(from int) string {
		v := url.Values{"q": {q}}
		if ledger != "" {
			v.Set("ledger", ledger)
		}
		if from > 0 {
			v.Set("skip", strconv.Itoa(from))
		}
		return Base + "?" + v.Encode()
	}
	if skip > 0 {
		d.Prev = page(max(skip-searchTake, 0))
	}
	if end < len(hits) {
		d.Next = page(end)
	}
	c.render(w, s, s.Lang, http.StatusOK, "search", d)
	return nil
}

// search finds what q means in the ledgers given: a customer number, a
// personal or organisation number in any written form, an e-mail address,
// a phone number in international or national form, or the start of a
// name. exact is the one customer a number matched, when it matched one.
func (c *Console) search(ctx context.Context, op *operator.Operator, ledgers []string, q string) (hits []hit, exact *customer.Customer, err error) {
	seen := map[string]bool{}
	add := func(by string, cs ...*customer.Customer) {
		for _, cu := range cs {
			k := cu.LedgerNo + "/" + cu.No
			if seen[k] || len(hits) >= maxHits {
				continue
			}
			seen[k] = true
			hits = append(hits, hit{Customer: cu, Path: customerPath(cu.LedgerNo, cu.No), Masked: cu.ProtectedIdentity && !op.SeesProtected(), By: by})
		}
	}
	var exacts []*customer.Customer
	numeric := strings.Trim(q, "0123456789 -+") == ""
	for _, no := range ledgers {
		l, err := c.svc.Ledger(ctx, no)
		if err != nil {
			return nil, nil, err
		}
		list := func(by string, lq customer.ListQuery) error {
			lq.Take = customer.MaxPage
			cs, _, err := c.svc.ListCustomers(ctx, no, lq)
			if err != nil {
				if customer.ErrorCode(err) == customer.EVALIDATION {
					return nil // not that kind of value after all
				}
				return err
			}
			add(by, cs...)
			return nil
		}
		switch {
		case strings.Contains(q, "@"):
			if err := list("email", customer.ListQuery{Email: q}); err != nil {
				return nil, nil, err
			}
		case numeric:
			if customer.CheckCustomerNo(q) == "" {
				if cu, err := c.svc.Customer(ctx, no, q); err == nil {
					add("customer-no", cu)
					exacts = append(exacts, cu)
				} else if code := customer.ErrorCode(err); code != customer.ECUSTOMERNOTFOUND && code != customer.ECUSTOMERERASED {
					return nil, nil, err
				}
			}
			if canon, _, err := nordic.ParseIdentity(l.Country, q, c.now()); err == nil {
				cs, err := c.svc.CustomersByNationalID(ctx, no, customer.NationalID{RegNo: canon, CountryCode: l.Country})
				if err != nil {
					return nil, nil, err
				}
				if !op.SeesProtected() {
					// Finding a protected person by the number would tell
					// whose number it is, which their page hides.
					cs = slices.DeleteFunc(cs, func(cu *customer.Customer) bool { return cu.ProtectedIdentity })
				}
				add("reg-no", cs...)
				if len(cs) == 1 {
					exacts = append(exacts, cs[0])
				}
			}
			if phone, ok := phoneOf(l.Country, q); ok {
				cs, err := c.svc.CustomersByMSISDN(ctx, no, phone)
				if err != nil {
					return nil, nil, err
				}
				add("phone", cs...)
			}
		default:
			if err := list("name", customer.ListQuery{Name: q}); err != nil {
				return nil, nil, err
			}
		}
	}
	if len(exacts) == 1 && len(hits) == 1 {
		exact = exacts[0]
	}
	return hits, exact, nil
}

// countryCodes are the calling codes of the Nordic ledgers' countries.
var countryCodes = map[string]string{"SE": "+46", "NO": "+47", "DK": "+45", "FI": "+358"}

// phoneOf reads q as a phone number: international, or national in the
// ledger's country (a leading 0 is the trunk prefix in Sweden and Finland).
func phoneOf(country, q string) (string, bool) {
	if strings.HasPrefix(q, "+") {
		m, err := nordic.ParseMSISDN(q)
		return m, err == nil
	}
	cc, ok := countryCodes[country]
	if !ok {
		return "", false
	}
	digits := strings.NewReplacer(" ", "", "-", "").Replace(q)
	if country == "SE" || country == "FI" {
		if !strings.HasPrefix(digits, "0") {
			return "", false
		}
		digits = digits[1:]
	}
	m, err := nordic.ParseMSISDN(cc + digits)
	return m, err == nil
}

// The customer page.

type customerData struct {
	C        *customer.Customer
	Path     string
	Masked   bool
	Export   *customer.Export
	Lookups  []*register.Lookup
	History  []historyEntry
	MayEdit  bool
	MayAdmin bool
	Saved    string // what was just saved, for the notice
}

type historyEntry struct {
	E       *customer.Event
	Changed []string
}

func (c *Console) customerPage(w http.ResponseWriter, r *http.Request, s *Session) error {
	cu, err := c.load(r, s)
	if err != nil {
		return err
	}
	x, err := c.svc.ExportCustomer(r.Context(), cu.LedgerNo, cu.No)
	if err != nil {
		return err
	}
	d := customerData{C: cu, Path: customerPath(cu.LedgerNo, cu.No), Export: x, MayEdit: s.Operator.MayEdit(),
		MayAdmin: s.Operator.MayErase(), Saved: r.URL.Query().Get("saved")}
	d.Masked = cu.ProtectedIdentity && !s.Operator.SeesProtected()
	if err := c.disclose(r, s, cu); err != nil {
		return err
	}
	switch d.Saved {
	case "", "contact", "address", "register":
	default:
		d.Saved = "" // only what this console says it saved
	}
	if d.Lookups, err = c.lookupsAbout(r.Context(), cu); err != nil {
		return err
	}
	for _, e := range x.History {
		d.History = append(d.History, historyEntry{E: e, Changed: changedFields(e)})
	}
	c.render(w, s, s.Lang, http.StatusOK, "customer", d)
	return nil
}

// lookupsAbout are the disclosure log's entries about the person c is.
func (c *Console) lookupsAbout(ctx context.Context, cu *customer.Customer) ([]*register.Lookup, error) {
	ls, _, err := c.reg.Lookups(ctx, cu.LedgerNo, c.reg.SubjectsOf(cu), 0, register.MaxPage)
	return ls, err
}

// changedFields are the names of what an event's change changed (its
// former values are not shown: they may be a protected person's).
func changedFields(e *customer.Event) []string {
	if e.Previous == nil {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(e.Previous, &fields) != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(fields))
}

// Contact data.

type contactData struct {
	C            *customer.Customer
	Path         string
	Version      int64
	Email        string
	MSISDN       string
	Language     string
	Distribution string
	Status       string
	TaxID        string
	Metadata     string // key=value, a line each
	Protected    bool
	Masked       bool // the tax id is not shown, nor changed
	MayProtect   bool // the protected-identity box is the admin's
	Languages    []string
	Conflict     *customer.Customer // the customer as stored now, when the save met a newer version
	Problems     []customer.Problem
}

// contactOf is the form of c's contact data and properties for s.
func contactOf(c *customer.Customer, s *Session) contactData {
	return contactData{C: c, Path: customerPath(c.LedgerNo, c.No), Version: c.Version, Email: c.Email, MSISDN: c.MSISDN,
		Language: c.PreferredLanguage, Distribution: c.DistributionType, Status: c.LegalStatus, TaxID: c.TaxIdentificationNumber,
		Metadata: metadataText(c.Metadata), Protected: c.ProtectedIdentity, Masked: c.ProtectedIdentity && !s.Operator.SeesProtected(),
		MayProtect: s.Operator.SeesProtected(), Languages: customer.Languages}
}

// metadataText is metadata as the form shows it: key=value lines by key.
func metadataText(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(k + "=" + m[k] + "\n")
	}
	return b.String()
}

// metadataPatch is what a form's metadata lines change of was: keys
// gone are removed, others set. A line without "=" is a problem.
func metadataPatch(was map[string]string, text string) (*customer.Opt[map[string]*string], []customer.Problem) {
	now := map[string]string{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, []customer.Problem{{Field: "metadata", Message: "line " + strconv.Itoa(i+1) + " must be key=value"}}
		}
		now[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	patch := map[string]*string{}
	for k := range was {
		if _, ok := now[k]; !ok {
			patch[k] = nil
		}
	}
	for k, v := range now {
		if was[k] != v {
			patch[k] = &v
		}
	}
	if len(patch) == 0 {
		return nil, nil
	}
	return customer.Set(patch), nil
}

func (c *Console) contactForm(w http.ResponseWriter, r *http.Request, s *Session) error {
	if !s.Operator.MayEdit() {
		return errForbidden("edit customers")
	}
	cu, err := c.load(r, s)
	if err != nil {
		return err
	}
	if err := c.disclose(r, s, cu); err != nil {
		return err
	}
	c.render(w, s, s.Lang, http.StatusOK, "contact", contactOf(cu, s))
	return nil
}

func (c *Console) saveContact(w http.ResponseWriter, r *http.Request, s *Session) error {
	if !s.Operator.MayEdit() {
		return errForbidden("edit customers")
	}
	cu, err := c.load(r, s)
	if err != nil {
		return err
	}
	d := contactOf(cu, s)
	d.Version = formVersion(r)
	d.Email, d.MSISDN = strings.TrimSpace(r.PostFormValue("email")), strings.TrimSpace(r.PostFormValue("msisdn"))
	d.Language, d.Distribution = r.PostFormValue("language"), r.PostFormValue("distribution")
	d.Status, d.Metadata = r.PostFormValue("status"), r.PostFormValue("metadata")
	p := &customer.Patch{Email: optional(d.Email), MSISDN: optional(d.MSISDN), PreferredLanguage: optional(d.Language),
		DistributionType: optional(d.Distribution)}
	if d.Status != "" {
		p.LegalStatus = customer.Set(d.Status)
	}
	if !d.Masked {
		d.TaxID = strings.TrimSpace(r.PostFormValue("taxId"))
		p.TaxIdentificationNumber = optional(d.TaxID)
	}
	if d.MayProtect {
		d.Protected = r.PostFormValue("protected") != ""
		p.ProtectedIdentity = customer.Set(d.Protected)
	}
	var problems []customer.Problem
	if p.Metadata, problems = metadataPatch(cu.Metadata, d.Metadata); problems != nil {
		d.Problems = problems
		c.render(w, s, s.Lang, http.StatusBadRequest, "contact", d)
		return nil
	}
	_, err = c.svc.PatchCustomer(asOperator(r, w, s), cu.LedgerNo, cu.No, p, etag(d.Version))
	return c.afterSave(w, r, s, err, "contact", &d, &d.Conflict, &d.Problems, d.Path)
}

// optional is a form field as a PATCH value: empty removes it.
func optional(v string) *customer.Opt[string] {
	if v == "" {
		return &customer.Opt[string]{Null: true}
	}
	return customer.Set(v)
}

func formVersion(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

// etag is the If-Match of a form: the version of the customer the form
// was drawn from, so that a change made meanwhile is never overwritten.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// afterSave answers a save: on success back to the customer page; a newer
// version meanwhile draws the form again beside what is stored now, with
// nothing written; a refused value draws the form with its problem.
func (c *Console) afterSave(w http.ResponseWriter, r *http.Request, s *Session, err error, page string, data any,
	conflict **customer.Customer, problems *[]customer.Problem, back string) error {
	switch customer.ErrorCode(err) {
	case "":
		http.Redirect(w, r, back+"?saved="+page, http.StatusSeeOther)
		return nil
	case customer.EPRECONDITION:
		now, rerr := c.load(r, s)
		if rerr != nil {
			return rerr
		}
		if err := c.disclose(r, s, now); err != nil {
			return err
		}
		*conflict = now
		c.render(w, s, s.Lang, http.StatusConflict, page, data)
		return nil
	case customer.EVALIDATION:
		*problems = customer.ErrorProblems(err)
		c.render(w, s, s.Lang, http.StatusBadRequest, page, data)
		return nil
	}
	return err
}

// Addresses.

type addressData struct {
	C        *customer.Customer
	Path     string
	Kind     string // legal or billing
	Version  int64
	A        customer.AddressInput
	Conflict *customer.Customer
	Problems []customer.Problem
}

func (c *Console) addressForm(w http.ResponseWriter, r *http.Request, s *Session) error {
	cu, kind, err := c.addressTarget(r, s)
	if err != nil {
		return err
	}
	d := addressData{C: cu, Path: customerPath(cu.LedgerNo, cu.No), Kind: kind, Version: cu.Version}
	a := cu.LegalAddress
	if kind == "billing" && cu.BillingAddress != nil {
		a = *cu.BillingAddress
	} else if kind == "billing" {
		a = customer.Address{CountryCode: cu.LegalAddress.CountryCode}
	}
	d.A = customer.AddressInput{Addressee: a.Addressee, StreetAddress: a.StreetAddress, CoAddress: a.CoAddress, City: a.City,
		ZipCode: a.ZipCode, CountryCode: a.CountryCode}
	if err := c.disclose(r, s, cu); err != nil {
		return err
	}
	c.render(w, s, s.Lang, http.StatusOK, "address", d)
	return nil
}

// addressTarget is the customer and the kind of address of an address
// page, for an operator who may change it: a protected person's addresses
// only by those who see them.
func (c *Console) addressTarget(r *http.Request, s *Session) (*customer.Customer, string, error) {
	kind := r.PathValue("kind")
	if kind != "legal" && kind != "billing" {
		return nil, "", customer.Errorf(customer.ENOTFOUND, "No such page.")
	}
	if !s.Operator.MayEdit() {
		return nil, "", errForbidden("edit customers")
	}
	cu, err := c.load(r, s)
	if err != nil {
		return nil, "", err
	}
	if cu.ProtectedIdentity && !s.Operator.SeesProtected() {
		return nil, "", errForbidden("see or change the addresses of a protected identity")
	}
	return cu, kind, nil
}

func (c *Console) saveAddress(w http.ResponseWriter, r *http.Request, s *Session) error {
	cu, kind, err := c.addressTarget(r, s)
	if err != nil {
		return err
	}
	d := addressData{C: cu, Path: customerPath(cu.LedgerNo, cu.No), Kind: kind, Version: formVersion(r), A: customer.AddressInput{
		Addressee: r.PostFormValue("addressee"), StreetAddress: r.PostFormValue("streetAddress"), CoAddress: r.PostFormValue("coAddress"),
		City: r.PostFormValue("city"), ZipCode: r.PostFormValue("zipCode"), CountryCode: r.PostFormValue("countryCode")}}
	ctx := asOperator(r, w, s)
	switch {
	case kind == "legal":
		_, err = c.svc.PutLegalAddress(ctx, cu.LedgerNo, cu.No, &d.A, etag(d.Version))
	case r.PostFormValue("remove") != "":
		err = c.svc.DeleteBillingAddress(ctx, cu.LedgerNo, cu.No, etag(d.Version))
	case cu.BillingAddress == nil:
		_, err = c.svc.AddBillingAddress(ctx, cu.LedgerNo, cu.No, &d.A, etag(d.Version))
	default:
		_, err = c.svc.PutBillingAddress(ctx, cu.LedgerNo, cu.No, &d.A, etag(d.Version))
	}
	return c.afterSave(w, r, s, err, "address", &d, &d.Conflict, &d.Problems, d.Path)
}

func (c *Console) updateFromRegister(w http.ResponseWriter, r *http.Request, s *Session) error {
	if !s.Operator.MayEdit() {
		return errForbidden("update customers from the register")
	}
	cu, err := c.load(r, s)
	if err != nil {
		return err
	}
	if cu.ProtectedIdentity && !s.Operator.SeesProtected() {
		return errForbidden("change the addresses of a protected identity")
	}
	_, err = c.reg.UpdateLegalAddress(asOperator(r, w, s), c.svc, caller(s, cu.LedgerNo), cu.No, etag(formVersion(r)))
	if err != nil {
		return err
	}
	http.Redirect(w, r, customerPath(cu.LedgerNo, cu.No)+"?saved=register", http.StatusSeeOther)
	return nil
}

// Export and erasure (admin).

func (c *Console) export(w http.ResponseWriter, r *http.Request, s *Session) error {
	if !s.Operator.MayExport() {
		return errForbidden("export customers")
	}
	cu, err := c.load(r, s)
	if err != nil {
		return err
	}
	if c.exportDoc == nil {
		return customer.Errorf(customer.EUNAVAILABLE, "The export is not available.")
	}
	if err := c.disclose(r, s, cu); err != nil {
		return err
	}
	b, err := c.exportDoc(r.Context(), cu.LedgerNo, cu.No)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "customer-" + cu.LedgerNo + "-" + cu.No + ".json"}))
	h.Set("Cache-Control", "no-store")
	w.Write(b)
	return nil
}

type eraseData struct {
	C        *customer.Customer
	Path     string
	Confirm  string
	Reason   string
	Problems []customer.Problem
	Erased   *customer.Erasure
}

func (c *Console) eraseForm(w http.ResponseWriter, r *http.Request, s *Session) error {
	if !s.Operator.MayErase() {
		return errForbidden("erase customers")
	}
	cu, err := c.load(r, s)
	if err != nil {
		return err
	}
	c.render(w, s, s.Lang, http.StatusOK, "erase", eraseData{C: cu, Path: customerPath(cu.LedgerNo, cu.No)})
	return nil
}

func (c *Console) erase(w http.ResponseWriter, r *http.Request, s *Session) error {
	if !s.Operator.MayErase() {
		return errForbidden("erase customers")
	}
	cu, err := c.load(r, s)
	if err != nil {
		return err
	}
	d := eraseData{C: cu, Path: customerPath(cu.LedgerNo, cu.No), Confirm: strings.TrimSpace(r.PostFormValue("confirm")),
		Reason: r.PostFormValue("reason")}
	if d.Confirm != cu.No {
		d.Problems = []customer.Problem{{Field: "confirm", Message: text(s.Lang, "erase-confirm-mismatch")}}
		c.render(w, s, s.Lang, http.StatusBadRequest, "erase", d)
		return nil
	}
	e, err := c.svc.EraseCustomer(asOperator(r, w, s), cu.LedgerNo, cu.No, d.Reason)
	switch customer.ErrorCode(err) {
	case "":
		d.Erased = e
		c.render(w, s, s.Lang, http.StatusOK, "erase", d)
		return nil
	case customer.EVALIDATION:
		d.Problems = customer.ErrorProblems(err)
		c.render(w, s, s.Lang, http.StatusBadRequest, "erase", d)
		return nil
	case customer.EERASEBLOCKED:
		var ce *customer.Error
		errors.As(err, &ce)
		d.Problems = []customer.Problem{{Field: "surplus", Message: ce.Message}}
		c.render(w, s, s.Lang, http.StatusConflict, "erase", d)
		return nil
	}
	return err
}
