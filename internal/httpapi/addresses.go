package httpapi

import (
	"net/http"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

func (s *Server) getLegalAddress(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	l, c, err := s.customerAndLedger(r, caller.Caller)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", c.ETag())
	return writeAppended(w, http.StatusOK, func(b []byte) []byte { return appendLegalAddress(b, caller.Caller, l, c) })
}

func (s *Server) putLegalAddress(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := decodeRequest[addressBody](w, r)
	if err != nil {
		return err
	}
	in := body.input()
	c, err := s.svc.PutLegalAddress(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return s.writeAddress(w, r, caller.Caller, c, http.StatusOK, appendLegalAddress)
}

func (s *Server) getBillingAddress(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	l, c, err := s.customerAndLedger(r, caller.Caller)
	if err != nil {
		return err
	}
	if c.BillingAddress == nil {
		return customer.Errorf(customer.EBILLINGNOTFOUND, "The customer has no billing address.")
	}
	w.Header().Set("ETag", c.ETag())
	return writeAppended(w, http.StatusOK, func(b []byte) []byte { return appendBillingAddress(b, caller.Caller, l, c) })
}

func (s *Server) addBillingAddress(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := decodeRequest[addressBody](w, r)
	if err != nil {
		return err
	}
	in := body.input()
	c, err := s.svc.AddBillingAddress(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), in, r.Header.Get("If-Match"),
		customer.Completing(caller.Key))
	if err != nil {
		return err
	}
	return s.writeAddedBilling(w, r, caller, c)
}

// writeAddedBilling answers an added billing address.
func (s *Server) writeAddedBilling(w http.ResponseWriter, r *http.Request, caller edge.Call, c *customer.Customer) error {
	l, err := s.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	edge.WriteReply(w, jsonReply(http.StatusCreated, map[string]string{
		"Location": customerPath(c.LedgerNo, c.No) + "/billing-address", "ETag": c.ETag(),
	}, appendBillingAddress(nil, caller.Caller, l, c)))
	return nil
}

// replayAddedBilling answers a retry of an added billing address whose
// answer was lost, with the billing address as it is now.
func (s *Server) replayAddedBilling(w http.ResponseWriter, r *http.Request, caller edge.Call, written customer.Written) error {
	c, err := s.svc.Customer(r.Context(), caller.LedgerNo, written.CustomerNo)
	if err != nil {
		return err
	}
	return s.writeAddedBilling(w, r, caller, c)
}

func (s *Server) putBillingAddress(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := decodeRequest[addressBody](w, r)
	if err != nil {
		return err
	}
	in := body.input()
	c, err := s.svc.PutBillingAddress(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return s.writeAddress(w, r, caller.Caller, c, http.StatusOK, appendBillingAddress)
}

func (s *Server) deleteBillingAddress(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	// The seed shows DELETE with an empty JSON object; any body is read and
	// must be empty.
	if _, err := decodeRequest[emptyRequest](w, r); err != nil {
		return err
	}
	if err := s.svc.DeleteBillingAddress(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), r.Header.Get("If-Match")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) writeAddress(w http.ResponseWriter, r *http.Request, caller customer.Caller, c *customer.Customer, status int,
	add func([]byte, customer.Caller, *customer.Ledger, *customer.Customer) []byte) error {
	l, err := s.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", c.ETag())
	return writeAppended(w, status, func(b []byte) []byte { return add(b, caller, l, c) })
}
