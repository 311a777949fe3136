package httpapi

import (
	"net/http"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// A customer's products: the sub-resource that the Tulo Payway dialect
// shows on an account candidate. GET answers and PUT takes
// {"products":[{"productCode","validTo"}]}; PUT replaces the whole list.

func representProducts(ledgerNo, customerNo string, ps []customer.Product) productsRep {
	rep := productsRep{ID: customerPath(ledgerNo, customerNo) + "/products", Products: []productRep{}}
	for _, p := range ps {
		rep.Products = append(rep.Products, productRep{ProductCode: p.Code, ValidTo: p.ValidTo.Format(time.RFC3339)})
	}
	return rep
}

func (s *Server) getProducts(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	ps, err := s.svc.Products(r.Context(), caller.LedgerNo, r.PathValue("customerNo"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, representProducts(caller.LedgerNo, r.PathValue("customerNo"), ps))
}

func (s *Server) putProducts(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	body, err := decodeRequest[productsRequest](w, r)
	if err != nil {
		return err
	}
	in := body.input()
	ps, err := s.svc.SetProducts(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, representProducts(caller.LedgerNo, r.PathValue("customerNo"), ps))
}
