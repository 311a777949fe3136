package customer

import (
	"context"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Product is a product (a subscription) a customer holds, valid until
// ValidTo. Tulo Payway shows them on an account candidate.
type Product struct {
	Code    string
	ValidTo time.Time
}

// ProductStore keeps customers' products. Both methods answer
// ECUSTOMERNOTFOUND when the ledger has no such customer.
type ProductStore interface {
	Products(ctx context.Context, ledgerNo, customerNo string) ([]Product, error)
	SetProducts(ctx context.Context, ledgerNo, customerNo string, ps []Product, at time.Time) error
}

// MaxProducts bounds the products of one customer.
const MaxProducts = 100

func (s *Service) products() (ProductStore, error) {
	ps, ok := s.store.(ProductStore)
	if !ok {
		return nil, Errorf(EINTERNAL, "This store keeps no products.")
	}
	return ps, nil
}

// Products returns a customer's products.
func (s *Service) Products(ctx context.Context, ledgerNo, customerNo string) ([]Product, error) {
	ps, err := s.products()
	if err != nil {
		return nil, err
	}
	if CheckCustomerNo(customerNo) != "" {
		return nil, errCustomerNotFound()
	}
	return ps.Products(ctx, ledgerNo, customerNo)
}

// ProductInput is one product of a PUT, as the client sent it.
type ProductInput struct {
	Code    string
	ValidTo string // RFC 3339
}

// SetProducts validates and replaces a customer's products.
func (s *Service) SetProducts(ctx context.Context, ledgerNo, customerNo string, in []ProductInput) ([]Product, error) {
	store, err := s.products()
	if err != nil {
		return nil, err
	}
	if CheckCustomerNo(customerNo) != "" {
		return nil, errCustomerNotFound()
	}
	var p Problems
	if len(in) > MaxProducts {
		p.Addf("products", "must hold at most %d products", MaxProducts)
	}
	out := make([]Product, 0, len(in))
	for i, x := range in {
		field := "products[" + strconv.Itoa(i) + "]"
		if x.Code == "" || utf8.RuneCountInString(x.Code) > 50 {
			p.Add(field+".productCode", "must be 1-50 characters")
		} else if msg := CheckText(x.Code); msg != "" {
			p.Add(field+".productCode", msg)
		}
		t, err := time.Parse(time.RFC3339, x.ValidTo)
		if err != nil {
			p.Add(field+".validTo", "must be a date and time such as 2016-08-02T13:00:00+03:00")
		}
		out = append(out, Product{Code: x.Code, ValidTo: t.UTC().Truncate(time.Second)})
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if err := store.SetProducts(ctx, ledgerNo, customerNo, out, s.Now()); err != nil {
		return nil, err
	}
	return out, nil
}

// ProductList is a customer's products, as the journal keeps them.
type ProductList struct {
	LedgerNo   string
	CustomerNo string
	Products   []Product
}

// SameProducts reports whether a and b are the same products in the same
// order.
func SameProducts(a, b []Product) bool {
	return slices.EqualFunc(a, b, func(x, y Product) bool { return x.Code == y.Code && x.ValidTo.Equal(y.ValidTo) })
}
