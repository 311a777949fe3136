package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

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

// bulkRows is how many customers one multi-row statement writes: a round
// trip to PostgreSQL per statement instead of per row, within both
// engines' limits on placeholders (42 a row).
const bulkRows = 200

// CreateCustomers stores many new customers in one transaction. Numbers
// the ledger has (or that come twice) are skipped. A customer whose uuid
// or address uuid is in use draws new ones (redraw) and is written with
// them.
func (db *DB) CreateCustomers(ctx context.Context, ledgerNo string, cs []*customer.Customer, redraw func(*customer.Customer)) ([]bool, error) {
	if !db.d.MultiRow {
		return db.createCustomersByRow(ctx, ledgerNo, cs, redraw)
	}
	stored := make([]bool, len(cs))
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		clear(stored) // a transaction run again starts over
		erased, err := db.erasedAmong(ctx, tx, ledgerNo, cs)
		if err != nil {
			return err
		}
		// A number twice in the batch: the first keeps it, whether or not
		// it has to draw new uuids (as a statement a row decides).
		seen := make(map[string]bool, len(cs))
		pending := make([]int, 0, len(cs))
		for i, c := range cs {
			c.LedgerNo = ledgerNo
			c.Version = 1
			if !erased[c.No] && !seen[c.No] {
				seen[c.No] = true
				pending = append(pending, i)
			}
		}
		// The values of attempt 0, kept for the statements when a copy
		// meets a taken key (redrawn uuids change them).
		var args map[int][]any
		if db.d.Copy != nil && len(pending) >= copyMin {
			if pending, args, err = db.copyCustomers(ctx, tx, ledgerNo, cs, pending, stored, redraw); err != nil {
				return err
			}
		}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt == maxRedraws {
				return customer.ErrUUIDTaken
			}
			if attempt > 0 {
				args = nil
				for _, i := range pending {
					redraw(cs[i])
				}
			}
			var again []int
			for from := 0; from < len(pending); from += bulkRows {
				retry, err := db.insertChunk(ctx, tx, ledgerNo, cs, pending[from:min(from+bulkRows, len(pending))], args, stored)
				if err != nil {
					return err
				}
				again = append(again, retry...)
			}
			pending = again
		}
		if err := db.erasedMeanwhile(ctx, tx, ledgerNo, cs, stored); err != nil {
			return err
		}
		return db.journalCreated(ctx, tx, ledgerNo, cs, stored)
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// createCustomersByRow is CreateCustomers a prepared statement a row, for
// an engine in the process: there, many-row statements made a SQLite
// import slower the bigger the table grew (docs/performance.md).
func (db *DB) createCustomersByRow(ctx context.Context, ledgerNo string, cs []*customer.Customer, redraw func(*customer.Customer)) ([]bool, error) {
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
		erased, err := db.erasedAmong(ctx, tx, ledgerNo, cs)
		if err != nil {
			return err
		}
		for i, c := range cs {
			c.LedgerNo = ledgerNo
			c.Version = 1
			if erased[c.No] {
				continue
			}
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
		if err := db.erasedMeanwhile(ctx, tx, ledgerNo, cs, stored); err != nil {
			return err
		}
		return db.journalCreated(ctx, tx, ledgerNo, cs, stored)
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// copyMin is the fewest customers (or events) a bulk write copies, where
// the engine has Copy, instead of writing them with statements: fewer fit
// in the one statement that a savepoint and two copies would replace.
const copyMin = bulkRows

// copyColumns are the columns of a customer row, in customerArgs' order.
var copyColumns = append([]string{"ledger_no", "customer_no"}, writeColumnNames...)

// copyCustomers writes the new customers cs[i] of pending and claims
// their address uuids with the engine's Copy. A copy stops at the first
// key that is taken, and with random uuids a batch of 100,000 nearly always
// holds one (three uuids a customer among 10^10), so the uuids are looked
// up first: a customer whose uuid is in use, or came earlier in the batch,
// draws new ones until they are free. Numbers are not looked up (but the
// first): a batch of new customers has none taken, and a copy that meets
// one (a file imported again in part, a key another writer took
// meanwhile) stops there, at the cost of the rows sent so far. Then it
// writes nothing, and it returns the customers still to write, with the
// values computed, for the statements that leave out taken keys.
func (db *DB) copyCustomers(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, pending []int, stored []bool,
	redraw func(*customer.Customer)) ([]int, map[int][]any, error) {
	// A batch whose first number the ledger has is most likely a file
	// imported again: the statements skip its rows without a copy that
	// would stop at once.
	if taken, err := db.numberTaken(ctx, tx, ledgerNo, cs[pending[0]].No); err != nil || taken {
		return pending, nil, err
	}
	claimed := map[string]bool{} // the uuids of the customers that keep theirs
	check := pending
	for attempt := 0; len(check) > 0; attempt++ {
		if attempt == maxRedraws {
			return nil, nil, customer.ErrUUIDTaken
		}
		var custs, addrs []string
		mine := make([][]string, len(check)) // each customer's uuids
		for k, i := range check {
			addr := newAddressUUIDs(cs[i])
			custs, addrs = append(custs, cs[i].UUID), append(addrs, addr...)
			mine[k] = append([]string{cs[i].UUID}, addr...)
		}
		used := map[string]bool{}
		if err := db.amongTaken(ctx, tx, used, `SELECT c.uuid FROM unnest(?::text[]) AS k (u)
			CROSS JOIN LATERAL (SELECT uuid FROM customers WHERE uuid = k.u LIMIT 1) AS c`, custs); err != nil {
			return nil, nil, err
		}
		if err := db.amongTaken(ctx, tx, used, `SELECT a.uuid FROM unnest(?::text[]) AS k (u)
			CROSS JOIN LATERAL (SELECT uuid FROM address_uuids WHERE uuid = k.u LIMIT 1) AS a`, addrs); err != nil {
			return nil, nil, err
		}
		var again []int
		for k, i := range check {
			if slices.ContainsFunc(mine[k], func(u string) bool { return used[u] || claimed[u] }) {
				// One whose number the ledger has is not written, and
				// keeps its uuids: the copy would stop at it.
				if taken, err := db.numberTaken(ctx, tx, ledgerNo, cs[i].No); err != nil || taken {
					return pending, nil, err
				}
				redraw(cs[i])
				again = append(again, i)
				continue
			}
			for _, u := range mine[k] {
				claimed[u] = true // a uuid twice in the batch: the first keeps it
			}
		}
		check = again
	}
	args := make(map[int][]any, len(pending))
	var claims []string
	if _, err := tx.ExecContext(ctx, `SAVEPOINT bulk_copy`); err != nil {
		return nil, nil, err
	}
	err := db.copy(ctx, tx, "customers", copyColumns, len(pending), func(k int) ([]any, error) {
		c := cs[pending[k]]
		vals, err := db.customerArgs(c, true)
		if err != nil {
			return nil, err
		}
		args[pending[k]] = vals
		claims = append(claims, newAddressUUIDs(c)...)
		return append([]any{ledgerNo, c.No}, vals...), nil
	})
	if err == nil && len(claims) > 0 {
		err = db.copy(ctx, tx, "address_uuids", []string{"uuid"}, len(claims), func(k int) ([]any, error) { return []any{claims[k]}, nil })
	}
	if err != nil {
		if db.d.IsUnique == nil || !db.d.IsUnique(err) {
			return nil, nil, err
		}
		// args holds the values of the rows the copy got to.
		_, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT bulk_copy`)
		return pending, args, err
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT bulk_copy`); err != nil {
		return nil, nil, err
	}
	for _, i := range pending {
		stored[i] = true
	}
	return nil, nil, nil
}

// copy runs the dialect's Copy on the connection of tx.
func (db *DB) copy(ctx context.Context, tx *sql.Tx, table string, columns []string, n int, row func(k int) ([]any, error)) error {
	conn, ok := db.txConns.Load(tx)
	if !ok {
		return errors.New("sqlstore: a copy outside a write transaction")
	}
	return db.d.Copy(ctx, conn.(*sql.Conn), table, columns, n, row)
}

// lookupKeys is how many keys one lookup of amongTaken sends: a lookup
// is one call, bounded like the others (even when each key's index page
// has to be read from the disk), and below PostgreSQL's default
// jit_above_cost (compiling the query took longer than running it).
const lookupKeys = 2_000

// amongTaken adds to set which of keys query finds. query selects one
// column; its ?::text[] is the list of keys, unnest(?::text[]), and each
// key is looked up by a LATERAL subquery with LIMIT 1, which the planner
// cannot turn into a join (a join, planned for an array of 4,000 rows,
// hashed a scan of the whole table). It must name a table whose only
// index the keys can use: a plan cached while the table was empty looked
// customer numbers up by another index of ledger_no, scanning the ledger.
func (db *DB) amongTaken(ctx context.Context, tx *sql.Tx, set map[string]bool, query string, keys []string) error {
	for from := 0; from < len(keys); from += lookupKeys {
		chunk := keys[from:min(from+lookupKeys, len(keys))]
		if err := addStrings(set)(tx.QueryContext(ctx, db.Q(query), chunk)); err != nil {
			return err
		}
	}
	return nil
}

// addStrings returns what adds the one text column of a query's rows to
// set and closes them.
func addStrings(set map[string]bool) func(*sql.Rows, error) error {
	return func(rows *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			set[s] = true
		}
		return rows.Err()
	}
}

// insertChunk writes the customers cs[i] of chunk with one statement and
// claims their address uuids with another, each leaving out a row whose
// key is taken. It marks the customers it stored, and returns those that
// must draw new uuids. Rows that clash within the statement are decided
// in the chunk's order: the first keeps the key. known holds the values
// of customers already computed, if any.
func (db *DB) insertChunk(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, chunk []int, known map[int][]any, stored []bool) ([]int, error) {
	cols := strings.Count(writeColumns, ",") + 3
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	args := make([]any, 0, len(chunk)*cols)
	for _, i := range chunk {
		vals, ok := known[i]
		if !ok {
			var err error
			if vals, err = db.customerArgs(cs[i], true); err != nil {
				return nil, err
			}
		}
		args = append(append(args, ledgerNo, cs[i].No), vals...)
	}
	rows, err := tx.QueryContext(ctx, db.Q(`INSERT INTO customers (ledger_no, customer_no, `+writeColumns+`) VALUES `+
		row+strings.Repeat(", "+row, len(chunk)-1)+` ON CONFLICT DO NOTHING RETURNING customer_no, uuid`), args...)
	if err != nil {
		return nil, err
	}
	written := map[[2]string]bool{}
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return nil, err
		}
		written[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var retry, in []int
	for _, i := range chunk {
		k := [2]string{cs[i].No, cs[i].UUID}
		if written[k] {
			delete(written, k) // the first of the chunk with this key has it
			in = append(in, i)
			continue
		}
		// Left out: the number is the ledger's already (an earlier run, or
		// twice in the file), or the uuid is taken.
		if taken, err := db.numberTaken(ctx, tx, ledgerNo, cs[i].No); err != nil {
			return nil, err
		} else if !taken {
			retry = append(retry, i)
		}
	}
	type claim struct {
		i    int
		uuid string
	}
	var claims []claim
	for _, i := range in {
		for _, u := range newAddressUUIDs(cs[i]) {
			claims = append(claims, claim{i, u})
		}
	}
	clash := map[int]bool{}
	owned := map[int][]string{}
	if len(claims) > 0 {
		uargs := make([]any, len(claims))
		for k, c := range claims {
			uargs[k] = c.uuid
		}
		got := map[string]bool{}
		if err := addStrings(got)(tx.QueryContext(ctx, db.Q(`INSERT INTO address_uuids (uuid) VALUES (?)`+strings.Repeat(", (?)", len(claims)-1)+
			` ON CONFLICT DO NOTHING RETURNING uuid`), uargs...)); err != nil {
			return nil, err
		}
		for _, c := range claims {
			if got[c.uuid] {
				delete(got, c.uuid)
				owned[c.i] = append(owned[c.i], c.uuid)
			} else {
				clash[c.i] = true
			}
		}
	}
	for _, i := range in {
		if !clash[i] {
			stored[i] = true
			continue
		}
		// An address uuid is taken: take back what this customer wrote.
		for _, u := range owned[i] {
			if _, err := db.txExec(ctx, tx, `DELETE FROM address_uuids WHERE uuid = ?`, u); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, db.Q(deleteNewCustomerSQL), ledgerNo, cs[i].No); err != nil {
			return nil, err
		}
		retry = append(retry, i)
	}
	return retry, nil
}

// journalCreated records the creation of each customer of cs stored.
func (db *DB) journalCreated(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, stored []bool) error {
	j := customer.JournalOf(ctx)
	var evs []*customer.Event
	snapshots := map[*customer.Event]*customer.Customer{}
	for i, c := range cs {
		if stored[i] {
			e := &customer.Event{Type: customer.EventCustomerCreated, OccurredAt: c.UpdatedAt, CustomerNo: c.No, Actor: j.Actor, RequestID: j.RequestID}
			evs = append(evs, e)
			snapshots[e] = c
		}
	}
	return db.appendSnapshots(ctx, tx, ledgerNo, evs, snapshots)
}

// insertIfFree writes c and claims its address uuids, or writes nothing and
// returns false when its number or one of its uuids is taken.
func (db *DB) insertIfFree(ctx context.Context, tx *sql.Tx, ins, addr *sql.Stmt, c *customer.Customer) (bool, error) {
	args, err := db.customerArgs(c, true)
	if err != nil {
		return false, err
	}
	res, err := ins.ExecContext(ctx, append([]any{c.LedgerNo, c.No}, args...)...)
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
		_, c, err := db.scanCustomer(rows)
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

// erasedAmong are the numbers of cs that erased customers had: a bulk
// write skips them as it skips numbers in use. A ledger without erasures
// costs one query.
func (db *DB) erasedAmong(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer) (map[string]bool, error) {
	var some int
	err := tx.QueryRowContext(ctx, db.Q(`SELECT count(*) FROM (SELECT 1 FROM erased_customers WHERE ledger_no = ? LIMIT 1) AS e`), ledgerNo).Scan(&some)
	if err != nil || some == 0 {
		return nil, err
	}
	erased := map[string]bool{}
	for from := 0; from < len(cs); from += bulkRows {
		chunk := cs[from:min(from+bulkRows, len(cs))]
		args := []any{ledgerNo}
		for _, c := range chunk {
			args = append(args, c.No)
		}
		if err := addStrings(erased)(tx.QueryContext(ctx, db.Q(`SELECT customer_no FROM erased_customers WHERE ledger_no = ? AND customer_no IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`), args...)); err != nil {
			return nil, err
		}
	}
	return erased, nil
}
