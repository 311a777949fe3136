package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/kund/kund/internal/customer"
)

// inChunk is how many values one "IN (...)" lookup of a bulk write carries.
// The list is always this long (padded by repeating a value) so that the
// query text, and with it the prepared statement, is one and the same.
const inChunk = 200

var inList = "(" + strings.TrimSuffix(strings.Repeat("?, ", inChunk), ", ") + ")"

// present returns which of values the query (ending in an IN list) finds;
// args are its leading arguments.
func (db *DB) present(ctx context.Context, tx *sql.Tx, query string, args []any, values []string) (map[string]bool, error) {
	found := map[string]bool{}
	if len(values) == 0 {
		return found, nil
	}
	stmt, err := tx.PrepareContext(ctx, db.Q(query+inList))
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	a := make([]any, len(args)+inChunk)
	copy(a, args)
	for start := 0; start < len(values); start += inChunk {
		for i := 0; i < inChunk; i++ {
			a[len(args)+i] = values[min(start+i, len(values)-1)]
		}
		rows, err := stmt.QueryContext(ctx, a...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			found[v] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// CreateCustomers stores many new customers in one transaction. Numbers
// the ledger has (or that come twice) are skipped; uuids are looked up
// first, so a taken one aborts before anything is written (a failed
// statement would poison the transaction on PostgreSQL).
func (db *DB) CreateCustomers(ctx context.Context, ledgerNo string, cs []*customer.Customer) ([]bool, error) {
	stored := make([]bool, len(cs))
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		nos := make([]string, len(cs))
		var custUUIDs, addrUUIDs []string
		for i, c := range cs {
			nos[i] = c.No
			custUUIDs = append(custUUIDs, c.UUID)
			addrUUIDs = append(addrUUIDs, newAddressUUIDs(c)...)
		}
		have, err := db.present(ctx, tx, `SELECT customer_no FROM customers WHERE ledger_no = ? AND customer_no IN `, []any{ledgerNo}, nos)
		if err != nil {
			return err
		}
		takenCust, err := db.present(ctx, tx, `SELECT uuid FROM customers WHERE uuid IN `, nil, custUUIDs)
		if err != nil {
			return err
		}
		takenAddr, err := db.present(ctx, tx, `SELECT uuid FROM address_uuids WHERE uuid IN `, nil, addrUUIDs)
		if err != nil {
			return err
		}
		// Every customer with a uuid in use, or one an earlier customer of
		// the batch has, must draw again.
		var taken customer.UUIDsTaken
		seen := map[string]bool{}
		for i, c := range cs {
			clash := takenCust[c.UUID]
			for _, u := range append([]string{c.UUID}, newAddressUUIDs(c)...) {
				clash = clash || takenAddr[u] || seen[u]
				seen[u] = true
			}
			if clash {
				taken.Rows = append(taken.Rows, i)
			}
		}
		if len(taken.Rows) > 0 {
			return &taken
		}
		ins, err := tx.PrepareContext(ctx, db.Q(insertCustomerSQL))
		if err != nil {
			return err
		}
		defer ins.Close()
		addr, err := tx.PrepareContext(ctx, db.Q(`INSERT INTO address_uuids (uuid) VALUES (?)`))
		if err != nil {
			return err
		}
		defer addr.Close()
		for i, c := range cs {
			if have[c.No] {
				continue
			}
			have[c.No] = true
			c.LedgerNo = ledgerNo
			c.Version = 1
			if _, err := ins.ExecContext(ctx, append([]any{ledgerNo, c.No}, customerArgs(c)...)...); err != nil {
				return err
			}
			for _, u := range newAddressUUIDs(c) {
				if _, err := addr.ExecContext(ctx, u); err != nil {
					return err
				}
			}
			stored[i] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
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
