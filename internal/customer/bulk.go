package customer

import "context"

// BulkStore is what a Store offers for bulk import and export. It is kept
// apart from Store so that a store without it still serves the API.
type BulkStore interface {
	// CreateCustomers stores new customers of one ledger in one
	// transaction, each with Version 1 and with the number it carries.
	// A customer whose number the ledger already has is not written; its
	// entry in the result is false (so an import that is run again writes
	// every row once). A customer whose uuid or an address uuid is in use
	// gets new ones from redraw and is written with them; when a customer
	// keeps drawing taken uuids the result is ErrUUIDTaken and nothing at
	// all is written.
	CreateCustomers(ctx context.Context, ledgerNo string, cs []*Customer, redraw func(*Customer)) (stored []bool, err error)
	// EachCustomer calls fn with every customer of the ledger in the order
	// they were created, streaming; an error from fn stops and is returned.
	EachCustomer(ctx context.Context, ledgerNo string, fn func(*Customer) error) error
}

// PrepareImport validates one create request exactly as CreateCustomer
// does and returns the customer it would store, with fresh uuids and
// timestamps. Bulk imports need a customer number to stay resumable, so a
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
	RedrawUUIDs(c)
	return c, nil
}

// RedrawUUIDs gives c and its addresses new random uuids, after a store
// reported ErrUUIDTaken.
func RedrawUUIDs(c *Customer) {
	c.UUID = newUUID("CSRT")
	c.LegalAddress.UUID = newUUID("ADRS")
	if c.BillingAddress != nil {
		c.BillingAddress.UUID = newUUID("ADRS")
	}
}

// ImportBatch stores prepared customers through store, drawing new uuids
// for those whose uuids are taken. It returns which were stored (false:
// the number existed already).
//
// Ten random digits collide by the birthday bound: among a million
// customers a batch of 10,000 new ones meets a taken uuid about once, so
// the customers that meet one draw again in the batch's transaction
// rather than the batch starting over.
func ImportBatch(ctx context.Context, store BulkStore, ledgerNo string, cs []*Customer) ([]bool, error) {
	return store.CreateCustomers(ctx, ledgerNo, cs, RedrawUUIDs)
}
