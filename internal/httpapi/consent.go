package httpapi

import (
	"net/http"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

func (s *Server) getConsent(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	c, err := s.svc.Customer(r.Context(), caller.LedgerNo, r.PathValue("customerNo"))
	if err != nil {
		return err
	}
	base := customerPath(c.LedgerNo, c.No) + "/consent"
	return writeJSON(w, http.StatusOK, consentRep{base + "/recurring-card", base + "/recurring-card-redirect-registration"})
}

func (s *Server) getCardConsent(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	c, err := s.svc.CardConsent(r.Context(), caller.LedgerNo, r.PathValue("customerNo"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cardConsentRep{c.CardToken, c.ConsentExpiry, c.MaskedNumber, c.CardExpiry})
}

// emptyBody accepts no body or the seed's empty object.
func emptyBody(w http.ResponseWriter, r *http.Request) error {
	_, err := decodeRequest[emptyRequest](w, r)
	return err
}

func (s *Server) deleteCardConsent(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	if err := emptyBody(w, r); err != nil {
		return err
	}
	if err := s.svc.DeleteCardConsent(r.Context(), caller.LedgerNo, r.PathValue("customerNo")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func registrationPath(ledgerNo, customerNo string) string {
	return customerPath(ledgerNo, customerNo) + "/consent/recurring-card-redirect-registration"
}

func (s *Server) startCardRegistration(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := decodeRequest[cardRegistrationRequest](w, r)
	if err != nil {
		return err
	}
	in := &customer.CardRegistrationInput{CompleteURL: body.CompleteURL, CancelURL: body.CancelURL, Language: body.Language}
	reg, err := s.svc.StartCardRegistration(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), in, s.edge.BaseURL(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cardRegistrationRep{reg.RedirectURL, reg.Status, registrationPath(reg.LedgerNo, reg.CustomerNo)})
}

func (s *Server) getCardRegistration(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	if err := emptyBody(w, r); err != nil {
		return err
	}
	reg, err := s.svc.CardRegistration(r.Context(), caller.LedgerNo, r.PathValue("customerNo"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cardRegistrationRep{RedirectURL: reg.RedirectURL, Status: reg.Status})
}

func (s *Server) putActiveConsent(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	return s.setConsent(w, r, caller.Caller, true)
}

func (s *Server) deleteActiveConsent(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	return s.setConsent(w, r, caller.Caller, false)
}

func (s *Server) setConsent(w http.ResponseWriter, r *http.Request, caller customer.Caller, on bool) error {
	if err := emptyBody(w, r); err != nil {
		return err
	}
	if _, err := s.svc.SetConsent(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), r.PathValue("name"), on); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
