package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

func surplusPath(ledgerNo, customerNo, id string) string {
	return customerPath(ledgerNo, customerNo) + "/surpluses/" + url.PathEscape(id)
}

func representSurplus(caller customer.Caller, l *customer.Ledger, s *customer.Surplus) *surplusRep {
	self := surplusPath(s.LedgerNo, s.CustomerNo, s.ID)
	return &surplusRep{
		SurplusID:  s.ID,
		Balance:    json.Number(s.Balance.String()),
		Currency:   s.Balance.Currency,
		Date:       s.Date,
		Status:     s.Status,
		Invoice:    s.Invoice,
		Account:    s.Account,
		Operations: ops(self+"/active-disbursement-orders", customer.SurplusOperations(caller, l, s), map[string]string{customer.RelAddDisbursal: http.MethodPost}),
		ID:         self,
	}
}

func (s *Server) createSurplus(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := decodeRequest[surplusRequest](w, r)
	if err != nil {
		return err
	}
	in := body.input()
	sp, err := s.svc.CreateSurplus(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), in)
	if err != nil {
		return err
	}
	l, err := s.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	rep := representSurplus(caller.Caller, l, sp)
	w.Header().Set("Location", rep.ID)
	return writeJSON(w, http.StatusCreated, rep)
}

func (s *Server) getSurplus(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	l, err := s.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	sp, err := s.svc.Surplus(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), r.PathValue("surplusId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, representSurplus(caller.Caller, l, sp))
}

func (s *Server) deleteSurplus(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	if _, err := decodeRequest[emptyRequest](w, r); err != nil {
		return err
	}
	if err := s.svc.DepleteSurplus(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), r.PathValue("surplusId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listSurpluses(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	q := r.URL.Query()
	skip, take, err := paging(q)
	if err != nil {
		return err
	}
	no := r.PathValue("customerNo")
	list, more, err := s.svc.ListSurpluses(r.Context(), caller.LedgerNo, no, skip, take)
	if err != nil {
		return err
	}
	l, err := s.svc.Ledger(r.Context(), caller.LedgerNo)
	if err != nil {
		return err
	}
	items := make([]*surplusRep, 0, len(list))
	for _, sp := range list {
		items = append(items, representSurplus(caller.Caller, l, sp))
	}
	carry := url.Values{}
	if v := q.Get("take"); v != "" {
		carry.Set("take", v)
	}
	return writeJSON(w, http.StatusOK, surplusListRep{items, navigate(customerPath(caller.LedgerNo, no)+"/surpluses", carry, skip, take, more)})
}

// Disbursement orders.

func representOrder(o *customer.DisbursementOrder) *orderRep {
	rep := &orderRep{Operations: []operation{}, Norwegian: o.Norwegian, Swedish: o.Swedish, International: o.International}
	if o.SUS != nil {
		rep.SUS = &susRep{
			NationalIdentifier: nationalIDBody{RegNo: o.SUS.NationalID.RegNo, CountryCode: o.SUS.NationalID.CountryCode},
			Address:            addressBodyOf(o.SUS.Address),
		}
	}
	return rep
}

func (s *Server) listDisbursementOrders(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	sp, orders, err := s.svc.ActiveDisbursementOrders(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), r.PathValue("surplusId"))
	if err != nil {
		return err
	}
	items := make([]*orderRep, 0, len(orders))
	for _, o := range orders {
		items = append(items, representOrder(o))
	}
	return writeJSON(w, http.StatusOK, orderListRep{Items: items, Navigation: selfRep{surplusPath(sp.LedgerNo, sp.CustomerNo, sp.ID) + "/active-disbursement-orders"}})
}

func (s *Server) addDisbursementOrder(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := decodeRequest[disbursementRequest](w, r)
	if err != nil {
		return err
	}
	in := body.input()
	sp, err := s.svc.AddDisbursementOrder(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), r.PathValue("surplusId"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", surplusPath(sp.LedgerNo, sp.CustomerNo, sp.ID)+"/active-disbursement-orders")
	return writeJSON(w, http.StatusCreated, representOrder(sp.ActiveOrder))
}
