package customer

import "context"

// BulkStore is what a Store offers for bulk import and export. It is kept
// apart from Store so that a store without it still serves the API.
type BulkStore interface {
	// CreateCustomers stores new customers of one ledger in one
	// transaction, each with Version 1 and with the number it carries.
	// A customer whose number the ledger already has is not written; its
	// entry in the result is false (so an import that is run again writes
	// every row once). The store gives each customer written its uuid and
	// its addresses theirs.
	CreateCustomers(ctx context.Context, ledgerNo string, cs []*Customer) (stored []bool, err error)
	// EachCustomer calls fn with every customer of the ledger in the order
	// they were created, streaming; an error from fn stops and is returned.
	EachCustomer(ctx context.Context, ledgerNo string, fn func(*Customer) error) error
}

// PrepareImport validates one create request exactly as CreateCustomer
// does and returns the customer it would store, with its timestamps (the
// store gives the uuids). Bulk imports need a customer number to stay resumable, so a
// ledger that generates numbers cannot be imported into.
func (s *Service) PrepareImport(l *Ledger, in *NewCustomer) (*Customer, error) {
	if l.CustomerNumbers == NumbersGenerated {
		return nil, Errorf(ECONFLICT, "Ledger %s generates customer numbers; bulk import needs client customer numbers.", l.No)
	}
	now := s.Now()
	c, err := in.Validate(l, now)
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = now, now
	return c, nil
}

// ImportBatch stores prepared customers through store. It returns which
// were stored (false: the number existed already).
func ImportBatch(ctx context.Context, store BulkStore, ledgerNo string, cs []*Customer) ([]bool, error) {
	return store.CreateCustomers(ctx, ledgerNo, cs)
}
