package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// numOrStr reads a decimal sent as a JSON number or a string, keeping the
// digits as written: money never passes through a float.
func (o *object) numOrStr(name string) string {
	m := o.take(name)
	if m == nil || isNull(m.raw) {
		return ""
	}
	raw := bytes.TrimSpace(m.raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	} else if len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return string(raw)
	}
	o.p.Add(o.path+name, "must be a number or a string holding a decimal")
	return ""
}

type surplusRep struct {
	SurplusID  string      `json:"surplusId"`
	Balance    json.Number `json:"balance"`
	Currency   string      `json:"currency"`
	Date       string      `json:"date"`
	Status     string      `json:"status"`
	Invoice    string      `json:"invoice,omitempty"`
	Account    string      `json:"account,omitempty"`
	Operations []operation `json:"operations"`
	ID         string      `json:"@id"`
}

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

func decodeSurplus(o *object) *customer.SurplusInput {
	defer o.finish()
	return &customer.SurplusInput{
		SurplusID: o.str("surplusId"),
		Balance:   o.numOrStr("balance"),
		Currency:  o.str("currency"),
		Date:      o.str("date"),
		Status:    o.str("status"),
		Invoice:   o.str("invoice"),
		Account:   o.str("account"),
	}
}

func (s *Server) createSurplus(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	in, err := decode(w, r, decodeSurplus)
	if err != nil {
		return err
	}
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
	return writeJSON(w, http.StatusOK, struct {
		Items      []*surplusRep `json:"items"`
		Navigation navigation    `json:"navigation"`
	}{items, navigate(customerPath(caller.LedgerNo, no)+"/surpluses", carry, skip, take, more)})
}

// Disbursement orders.

type orderRep struct {
	Operations    []operation                    `json:"operations"`
	Norwegian     *customer.NorwegianAccount     `json:"norwegianBankAccount,omitempty"`
	Swedish       *customer.SwedishAccount       `json:"swedishBankAccount,omitempty"`
	International *customer.InternationalAccount `json:"international,omitempty"`
	SUS           *susRep                        `json:"swedishSus,omitempty"`
}

type susRep struct {
	NationalIdentifier nationalIDBody `json:"nationalIdentifier"`
	Address            addressBody    `json:"address"`
}

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

func decodeDisbursement(o *object) *customer.DisbursementInput {
	defer o.finish()
	in := &customer.DisbursementInput{}
	if n, _ := o.obj("norwegianBankAccount"); n != nil {
		in.Norwegian = &struct{ AccountNo string }{n.str("accountNo")}
		n.finish()
	}
	if se, _ := o.obj("swedishBankAccount"); se != nil {
		in.Swedish = &struct{ ClearingNo, AccountNo, AccountType string }{se.str("clearingNo"), se.str("accountNo"), se.str("accountType")}
		se.finish()
	}
	if i, _ := o.obj("international"); i != nil {
		in.Intl = &struct{ IBAN, BIC string }{i.str("iban"), i.str("bic")}
		i.finish()
	}
	if sus, _ := o.obj("swedishSus"); sus != nil {
		id, _ := sus.obj("nationalIdentifier")
		addr, _ := sus.obj("address")
		in.SUS = &struct {
			NationalID *customer.NationalIDInput
			Address    *customer.AddressInput
		}{decodeNationalID(id), decodeAddress(addr)}
		sus.finish()
	}
	return in
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
	return writeJSON(w, http.StatusOK, struct {
		Items      []*orderRep `json:"items"`
		Navigation struct {
			ID string `json:"@id"`
		} `json:"navigation"`
	}{Items: items, Navigation: struct {
		ID string `json:"@id"`
	}{surplusPath(sp.LedgerNo, sp.CustomerNo, sp.ID) + "/active-disbursement-orders"}})
}

func (s *Server) addDisbursementOrder(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	in, err := decode(w, r, decodeDisbursement)
	if err != nil {
		return err
	}
	sp, err := s.svc.AddDisbursementOrder(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), r.PathValue("surplusId"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", surplusPath(sp.LedgerNo, sp.CustomerNo, sp.ID)+"/active-disbursement-orders")
	return writeJSON(w, http.StatusCreated, representOrder(sp.ActiveOrder))
}
