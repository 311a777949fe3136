package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/nordic"
	"github.com/kund/kund/internal/register"
)

// SetRegister gives the server its population register. Without one the
// register operations answer 503 population-register-unavailable.
func (s *Server) SetRegister(r *register.Service) { s.reg = r }

// registerRoutes are the register operations; generating a customer from
// the register is a lookup too, since its answer shows who the person is.
func (s *Server) registerRoutes(add, lookup func(string, customer.Scope, edge.Handler), replayed func(edge.Replayer)) {
	const one = Base + "{ledgerNo}/customers/{customerNo}"
	lookup("POST "+Base+"{ledgerNo}/generate-consumer-customer-by-reg-no", customer.ScopeRegister, s.generateByRegNo)
	replayed(s.replayCreated)
	// The seed shows the operation at both addresses.
	add("POST "+one+"/legal-address/"+customer.RelUpdateFromRegister, customer.ScopeRegister, s.updateLegalFromRegister)
	add("POST "+one+"/legal-address", customer.ScopeRegister, s.updateLegalFromRegister)
	add("GET "+Base+"{ledgerNo}/register-lookups", customer.ScopeRegister, s.registerLookups)
}

func (s *Server) register() (*register.Service, error) {
	if s.reg == nil {
		return nil, customer.Errorf(customer.EREGISTERUNAVAILABLE, "No population register is configured.")
	}
	return s.reg, nil
}

func (s *Server) generateByRegNo(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	req, err := decodeRequest[generateRequest](w, r)
	if err != nil {
		return err
	}
	in := req.input()
	reg, err := s.register()
	if err != nil {
		return err
	}
	c, err := reg.GenerateConsumer(r.Context(), s.svc, caller.Caller, in, customer.Completing(caller.Key))
	if err != nil {
		return err
	}
	edge.WriteReply(w, createdReply(c))
	return nil
}

func (s *Server) updateLegalFromRegister(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	// The body is empty or {}: anything in it is an unknown property.
	if _, err := decodeRequest[emptyRequest](w, r); err != nil {
		return err
	}
	reg, err := s.register()
	if err != nil {
		return err
	}
	c, err := reg.UpdateLegalAddress(r.Context(), s.svc, caller.Caller, r.PathValue("customerNo"), r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return s.writeAddress(w, r, caller.Caller, c, http.StatusOK, appendLegalAddress)
}

// registerLookups lists the disclosure log. regNo with countryCode, or
// msisdn, selects the lookups about one person.
func (s *Server) registerLookups(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	q := r.URL.Query()
	skip, take, err := paging(q, "regNo", "countryCode", "msisdn")
	if err != nil {
		return err
	}
	reg, err := s.register()
	if err != nil {
		return err
	}
	var subjects []string
	switch {
	case q.Get("regNo") != "" || q.Get("countryCode") != "":
		id, err := customer.ValidateNationalID(&customer.NationalIDInput{RegNo: q.Get("regNo"), CountryCode: q.Get("countryCode")}, s.svc.Now())
		if err != nil {
			return err
		}
		subjects = reg.Subjects(caller.LedgerNo, id.CountryCode, id.RegNo)
	case q.Get("msisdn") != "":
		m, err := nordic.ParseMSISDN(q.Get("msisdn"))
		if err != nil {
			return customer.ValidationError("msisdn", err.Error())
		}
		subjects = reg.Subjects(caller.LedgerNo, "phone", m)
	}
	ls, more, err := reg.Lookups(r.Context(), caller.LedgerNo, subjects, skip, take)
	if err != nil {
		return err
	}
	items := make([]lookupRep, 0, len(ls))
	for _, l := range ls {
		items = append(items, lookupRep{ID: l.ID, TokenID: l.TokenID, SubjectHash: l.SubjectHash, Purpose: l.Purpose,
			Source: l.Source, Outcome: l.Outcome, Time: l.At.UTC().Format(time.RFC3339Nano)})
	}
	carry := url.Values{}
	for _, k := range []string{"regNo", "countryCode", "msisdn", "take"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			carry.Set(k, v)
		}
	}
	return writeJSON(w, http.StatusOK, lookupListRep{items, navigate(Base+caller.LedgerNo+"/register-lookups", carry, skip, take, more)})
}
