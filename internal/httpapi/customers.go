package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// decode reads the request body as a JSON object and maps it with fn. Every
// problem of the body, from syntax to unknown properties, is reported at
// once as a validation problem.
func decode[T any](w http.ResponseWriter, r *http.Request, fn func(*object) T) (T, error) {
	var zero T
	body, err := readBody(w, r)
	if err != nil {
		return zero, err
	}
	var p customer.Problems
	o, err := parseBody(body, &p)
	if err != nil {
		return zero, err
	}
	v := fn(o)
	if err := p.Err(); err != nil {
		return zero, err
	}
	return v, nil
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	in, err := decodeRequest[createRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.svc.CreateCustomer(r.Context(), caller.LedgerNo, in.input(), customer.Completing(caller.Key))
	if err != nil {
		return err
	}
	edge.WriteReply(w, createdReply(c))
	return nil
}

// createdReply is the answer to a created customer.
func createdReply(c *customer.Customer) edge.Reply {
	self := customerPath(c.LedgerNo, c.No)
	return jsonReply(http.StatusCreated, map[string]string{"Location": self, "ETag": c.ETag()}, appendCreated(nil, c))
}

// replayCreated answers a retry of a create whose answer was lost: the
// answer names only the customer and the version it was created with.
func (s *Server) replayCreated(w http.ResponseWriter, r *http.Request, caller edge.Call, written customer.Written) error {
	edge.WriteReply(w, createdReply(&customer.Customer{LedgerNo: caller.LedgerNo, No: written.CustomerNo, Version: written.Version}))
	return nil
}

// parseExpand reads $expand from the query of u.
func parseExpand(u *url.URL) (expansion, error) {
	var x expansion
	if u.RawQuery == "" {
		return x, nil // the common case: no query to parse
	}
	for _, v := range u.Query()["$expand"] {
		for part := range strings.SplitSeq(v, ",") {
			switch strings.ToLower(strings.TrimSpace(part)) {
			case "legaladdress":
				x.legal = true
			case "billingaddress":
				x.billing = true
			case "":
			default:
				return x, customer.ValidationError("$expand", "may hold only legaladdress and billingaddress")
			}
		}
	}
	return x, nil
}

// customerAndLedger loads what every customer representation needs.
func (s *Server) customerAndLedger(r *http.Request, caller customer.Caller) (*customer.Ledger, *customer.Customer, error) {
	l, err := s.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.svc.Customer(r.Context(), caller.LedgerNo, r.PathValue("customerNo"))
	return l, c, err
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	x, err := parseExpand(r.URL)
	if err != nil {
		return err
	}
	l, c, err := s.customerAndLedger(r, caller.Caller)
	if err != nil {
		return err
	}
	if err := s.svc.CheckKYCDue(r.Context(), l, c); err != nil {
		return err
	}
	w.Header().Set("ETag", c.ETag())
	return writeAppended(w, http.StatusOK, func(b []byte) []byte { return appendCustomer(b, caller.Caller, l, c, x) })
}

func (s *Server) patchCustomer(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	p, err := decodeRequest[patchRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.svc.PatchCustomer(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), p.patch(), r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	l, err := s.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	if err := s.svc.CheckKYCDue(r.Context(), l, c); err != nil {
		return err
	}
	w.Header().Set("ETag", c.ETag())
	return writeAppended(w, http.StatusOK, func(b []byte) []byte { return appendCustomer(b, caller.Caller, l, c, expansion{}) })
}

func (s *Server) findCustomer(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	in, err := decodeRequest[findRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.svc.FindCustomer(r.Context(), caller.LedgerNo, in.NationalIdentifier.input())
	if err != nil {
		return err
	}
	return writeAppended(w, http.StatusOK, func(b []byte) []byte { return appendCreated(b, c) })
}

// DefaultTake is the page size of lists when take is not given.
const DefaultTake = 20

// listFilters are the query parameters of GET /customers besides paging.
var listFilters = []string{"name", "emailAddress", "msisdn", "regNo", "zipCode"}

// paging reads skip and take; unknown parameters other than allowed ones
// are refused, so a misspelt filter never silently lists everything.
func paging(q url.Values, allowed ...string) (skip, take int, err error) {
	var p customer.Problems
	for k := range q {
		if k != "skip" && k != "take" && !contains(allowed, k) {
			p.Add(k, "is not a known query parameter")
		}
	}
	skip, take = 0, DefaultTake
	if v := q.Get("skip"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil {
			p.Add("skip", "must be a whole number")
		}
	}
	if v := q.Get("take"); v != "" {
		if take, err = strconv.Atoi(v); err != nil {
			p.Add("take", "must be a whole number")
		}
	}
	return skip, take, p.Err()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	q := r.URL.Query()
	skip, take, err := paging(q, listFilters...)
	if err != nil {
		return err
	}
	query := customer.ListQuery{
		Name: q.Get("name"), Email: q.Get("emailAddress"), MSISDN: q.Get("msisdn"),
		RegNo: q.Get("regNo"), ZipCode: q.Get("zipCode"), Skip: skip, Take: take,
	}
	cs, more, err := s.svc.ListCustomers(r.Context(), caller.LedgerNo, query)
	if err != nil {
		return err
	}
	l, err := s.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if err := s.svc.CheckKYCDue(r.Context(), l, c); err != nil {
			return err
		}
	}
	carry := url.Values{}
	for _, k := range append(listFilters, "take") {
		if v := q.Get(k); v != "" {
			carry.Set(k, v)
		}
	}
	nav := navigate(Base+caller.LedgerNo+"/customers", carry, skip, take, more)
	return writeAppended(w, http.StatusOK, func(b []byte) []byte { return appendCustomerList(b, caller.Caller, l, cs, nav) })
}
