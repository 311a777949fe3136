package sqlstore

import (
	"context"
	"database/sql"

	"github.com/kund/kund/internal/customer"
)

// Bulk inserts meet the unique constraints head on: ON CONFLICT DO
// NOTHING (SQLite, PostgreSQL and the distributed engines all have it)
// leaves a row out instead of failing the transaction, and the rare row
// left out is looked at afterwards. Looking up every number and uuid of a
// batch before inserting it cost a sixth of the writer's time.
var insertCustomerIfFreeSQL = insertCustomerSQL + ` ON CONFLICT DO NOTHING`

const (
	insertAddressUUIDIfFreeSQL = `INSERT INTO address_uuids (uuid) VALUES (?) ON CONFLICT DO NOTHING`
	deleteNewCustomerSQL       = `DELETE FROM customers WHERE ledger_no = ? AND customer_no = ?`
)

// maxRedraws bounds the new uuids one customer of a bulk write may draw.
// With ten random digits, even among a hundred million uuids a draw is
// taken one time in a hundred.
const maxRedraws = 8

// CreateCustomers stores many new customers in one transaction. Numbers
// the ledger has (or that come twice) are skipped. A customer whose uuid
// or address uuid is in use draws new ones (redraw) and is written with
// them.
func (db *DB) CreateCustomers(ctx context.Context, ledgerNo string, cs []*customer.Customer, redraw func(*customer.Customer)) ([]bool, error) {
	stored := make([]bool, len(cs))
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		clear(stored) // a transaction run again starts over
		ins, err := tx.PrepareContext(ctx, db.Q(insertCustomerIfFreeSQL))
		if err != nil {
			return err
		}
		defer ins.Close()
		addr, err := tx.PrepareContext(ctx, db.Q(insertAddressUUIDIfFreeSQL))
		if err != nil {
			return err
		}
		defer addr.Close()
		for i, c := range cs {
			c.LedgerNo = ledgerNo
			c.Version = 1
			for attempt := 0; ; attempt++ {
				if attempt == maxRedraws {
					return customer.ErrUUIDTaken
				}
				if attempt > 0 {
					redraw(c)
				}
				ok, err := db.insertIfFree(ctx, tx, ins, addr, c)
				if err != nil {
					return err
				}
				if ok {
					stored[i] = true
					break
				}
				// Left out: the number is the ledger's already (an earlier
				// run, or twice in the file), or a uuid is taken.
				if taken, err := db.numberTaken(ctx, tx, ledgerNo, c.No); err != nil {
					return err
				} else if taken {
					break
				}
			}
		}
		return db.journalCreated(ctx, tx, ledgerNo, cs, stored)
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// journalCreated records the creation of each customer of cs stored.
func (db *DB) journalCreated(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, stored []bool) error {
	j := customer.JournalOf(ctx)
	var evs []*customer.Event
	for i, c := range cs {
		if stored[i] {
			evs = append(evs, &customer.Event{Type: customer.EventCustomerCreated, OccurredAt: c.UpdatedAt, CustomerNo: c.No,
				Actor: j.Actor, RequestID: j.RequestID, Object: customer.EncodeSnapshot(c)})
		}
	}
	return db.appendEvents(ctx, tx, ledgerNo, evs)
}

// insertIfFree writes c and claims its address uuids, or writes nothing and
// returns false when its number or one of its uuids is taken.
func (db *DB) insertIfFree(ctx context.Context, tx *sql.Tx, ins, addr *sql.Stmt, c *customer.Customer) (bool, error) {
	res, err := ins.ExecContext(ctx, append([]any{c.LedgerNo, c.No}, customerArgs(c)...)...)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	uuids := newAddressUUIDs(c)
	for k, u := range uuids {
		res, err := addr.ExecContext(ctx, u)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, err
		} else if n == 1 {
			continue
		}
		// Taken: take back what this customer wrote.
		for _, u := range uuids[:k] {
			if _, err := db.txExec(ctx, tx, `DELETE FROM address_uuids WHERE uuid = ?`, u); err != nil {
				return false, err
			}
		}
		_, err = tx.ExecContext(ctx, db.Q(deleteNewCustomerSQL), c.LedgerNo, c.No)
		return false, err
	}
	return true, nil
}

// EachCustomer streams every customer of a ledger in creation order.
func (db *DB) EachCustomer(ctx context.Context, ledgerNo string, fn func(*customer.Customer) error) error {
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT `+customerColumns+` FROM customers WHERE ledger_no = ? ORDER BY id`), ledgerNo)
	if err != nil {
		return db.Err(err)
	}
	defer rows.Close()
	for rows.Next() {
		_, c, err := scanCustomer(rows)
		if err != nil {
			return db.Err(err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return db.Err(rows.Err())
}

// newAddressUUIDs are the address uuids a new customer brings into use.
func newAddressUUIDs(c *customer.Customer) []string {
	added, _ := customer.AddressUUIDChanges(nil, c)
	return added
}
