package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// A customer's products: the sub-resource that the Tulo Payway dialect
// shows on an account candidate. GET answers and PUT takes
// {"products":[{"productCode","validTo"}]}; PUT replaces the whole list.

type productRep struct {
	ProductCode string `json:"productCode"`
	ValidTo     string `json:"validTo"`
}

type productsRep struct {
	ID       string       `json:"@id"`
	Products []productRep `json:"products"`
}

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

func decodeProducts(o *object) []customer.ProductInput {
	m := o.take("products")
	o.finish()
	if m == nil || isNull(m.raw) {
		o.p.Add("products", "is required")
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(m.raw, &items); err != nil {
		o.p.Add("products", "must be an array of products")
		return nil
	}
	in := make([]customer.ProductInput, 0, len(items))
	for i, raw := range items {
		item, err := parseObject(raw, "products["+strconv.Itoa(i)+"].", o.p)
		if err != nil {
			for _, pr := range customer.ErrorProblems(err) {
				o.p.Add(pr.Field, pr.Message)
			}
			continue
		}
		in = append(in, customer.ProductInput{Code: item.str("productCode"), ValidTo: item.str("validTo")})
		item.finish()
	}
	return in
}

func (s *Server) putProducts(w http.ResponseWriter, r *http.Request, caller edge.Call) error {
	in, err := decode(w, r, decodeProducts)
	if err != nil {
		return err
	}
	ps, err := s.svc.SetProducts(r.Context(), caller.LedgerNo, r.PathValue("customerNo"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, representProducts(caller.LedgerNo, r.PathValue("customerNo"), ps))
}
