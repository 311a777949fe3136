package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/kund/kund/internal/customer"
)

// Bulk inserts meet the one key that can be taken, the customer number,
// head on: ON CONFLICT (ledger_no, customer_no) DO NOTHING (SQLite,
// PostgreSQL and the distributed engines all have it) leaves a row out
// instead of failing the transaction. Looking up every number of a batch
// before inserting it cost a sixth of the writer's time. Row ids and
// uuids come from sequences (uuids.go); a row id in use (a sequence
// behind its table: a database edited by hand) fails the transaction.
var insertCustomerIfFreeSQL = insertCustomerSQL + ` ON CONFLICT (ledger_no, customer_no) DO NOTHING`

// bulkRows is how many customers one multi-row statement writes: a round
// trip to PostgreSQL per statement instead of per row, within both
// engines' limits on placeholders (43 a row).
const bulkRows = 200

// CreateCustomers stores many new customers in one transaction. Numbers
// the ledger has (or that come twice: the first keeps it) are skipped. A
// customer not stored keeps the uuids it had.
func (db *DB) CreateCustomers(ctx context.Context, ledgerNo string, cs []*customer.Customer) ([]bool, error) {
	stored := make([]bool, len(cs))
	had := make([][3]string, len(cs))
	for i, c := range cs {
		had[i] = uuidsOf(c)
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		// A transaction run again starts over.
		clear(stored)
		for i, c := range cs {
			setUUIDs(c, had[i])
		}
		pending, ids, err := db.newCustomers(ctx, tx, ledgerNo, cs)
		if err != nil {
			return err
		}
		if !db.d.MultiRow {
			err = db.insertByRow(ctx, tx, ledgerNo, cs, ids, pending, stored)
		} else {
			err = db.insertByChunk(ctx, tx, ledgerNo, cs, ids, pending, stored)
		}
		if err != nil {
			return err
		}
		if err := db.erasedMeanwhile(ctx, tx, ledgerNo, cs, stored); err != nil {
			return err
		}
		return db.journalCreated(ctx, tx, ledgerNo, cs, stored)
	})
	for i, c := range cs {
		if err != nil || !stored[i] {
			setUUIDs(c, had[i])
		}
	}
	if err != nil {
		return nil, err
	}
	return stored, nil
}

func uuidsOf(c *customer.Customer) [3]string {
	u := [3]string{c.UUID, c.LegalAddress.UUID}
	if c.BillingAddress != nil {
		u[2] = c.BillingAddress.UUID
	}
	return u
}

func setUUIDs(c *customer.Customer, u [3]string) {
	c.UUID, c.LegalAddress.UUID = u[0], u[1]
	if c.BillingAddress != nil {
		c.BillingAddress.UUID = u[2]
	}
}

// newCustomers are the customers of cs to write (their indexes: neither
// an erased number nor one that came before in the batch), with their row
// ids (by index of cs) and uuids given.
func (db *DB) newCustomers(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer) ([]int, []int64, error) {
	erased, err := db.erasedAmong(ctx, tx, ledgerNo, cs)
	if err != nil {
		return nil, nil, err
	}
	seen := make(map[string]bool, len(cs))
	pending := make([]int, 0, len(cs))
	var fresh []*customer.Customer
	for i, c := range cs {
		c.LedgerNo = ledgerNo
		c.Version = 1
		if !erased[c.No] && !seen[c.No] {
			seen[c.No] = true
			pending = append(pending, i)
			fresh = append(fresh, c)
		}
	}
	freshIDs := make([]int64, len(fresh))
	if err := db.giveUUIDs(ctx, tx, fresh, freshIDs, nil); err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(cs))
	for k, i := range pending {
		ids[i] = freshIDs[k]
	}
	return pending, ids, nil
}

// insertByRow writes the customers cs[i] of pending a prepared statement
// a row, for an engine in the process: there, many-row statements made a
// SQLite import slower the bigger the table grew (docs/performance.md).
func (db *DB) insertByRow(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, ids []int64, pending []int, stored []bool) error {
	ins, err := tx.PrepareContext(ctx, db.Q(insertCustomerIfFreeSQL))
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, i := range pending {
		c := cs[i]
		args, err := db.customerArgs(c, true)
		if err != nil {
			return err
		}
		res, err := ins.ExecContext(ctx, append([]any{ids[i], ledgerNo, c.No}, args...)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		stored[i] = n == 1 // 0: the ledger has the number already
	}
	return nil
}

// insertByChunk writes the customers cs[i] of pending with the engine's
// Copy, where it has one and the batch is big enough, and otherwise (or
// when the copy meets a number the ledger has) with multi-row statements.
func (db *DB) insertByChunk(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, ids []int64, pending []int, stored []bool) error {
	// The values of the rows a copy got to, kept for the statements.
	var args map[int][]any
	if db.d.Copy != nil && len(pending) >= copyMin {
		var err error
		if pending, args, err = db.copyCustomers(ctx, tx, ledgerNo, cs, ids, pending, stored); err != nil {
			return err
		}
	}
	for from := 0; from < len(pending); from += bulkRows {
		if err := db.insertChunk(ctx, tx, ledgerNo, cs, ids, pending[from:min(from+bulkRows, len(pending))], args, stored); err != nil {
			return err
		}
	}
	return nil
}

// copyMin is the fewest customers (or events) a bulk write copies, where
// the engine has Copy, instead of writing them with statements: fewer fit
// in the one statement that a savepoint and a copy would replace.
const copyMin = bulkRows

// copyColumns are the columns of a customer row, in customerArgs' order.
var copyColumns = append([]string{"id", "ledger_no", "customer_no"}, writeColumnNames...)

// copyCustomers writes the new customers cs[i] of pending with the
// engine's Copy. Numbers are not looked up (but the first): a batch of new
// customers has none taken, and a copy that meets one (a file imported
// again in part, a number another writer took meanwhile) stops there, at
// the cost of the rows sent so far. Then it writes nothing, and it returns
// the customers still to write, with the values computed, for the
// statements that leave out taken numbers.
func (db *DB) copyCustomers(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, ids []int64, pending []int,
	stored []bool) ([]int, map[int][]any, error) {
	// A batch whose first number the ledger has is most likely a file
	// imported again: the statements skip its rows without a copy that
	// would stop at once.
	if taken, err := db.numberTaken(ctx, tx, ledgerNo, cs[pending[0]].No); err != nil || taken {
		return pending, nil, err
	}
	args := make(map[int][]any, len(pending))
	if _, err := tx.ExecContext(ctx, `SAVEPOINT bulk_copy`); err != nil {
		return nil, nil, err
	}
	err := db.copy(ctx, tx, "customers", copyColumns, len(pending), func(k int) ([]any, error) {
		i := pending[k]
		vals, err := db.customerArgs(cs[i], true)
		if err != nil {
			return nil, err
		}
		args[i] = vals
		return append([]any{ids[i], ledgerNo, cs[i].No}, vals...), nil
	})
	if err != nil {
		if db.d.IsUnique == nil || !db.d.IsUnique(err) {
			return nil, nil, err
		}
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

// insertChunk writes the customers cs[i] of chunk with one statement,
// leaving out a row whose number the ledger has, and marks those it
// stored. known holds the values of customers already computed, if any.
func (db *DB) insertChunk(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer, ids []int64, chunk []int, known map[int][]any, stored []bool) error {
	cols := len(copyColumns)
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	args := make([]any, 0, len(chunk)*cols)
	for _, i := range chunk {
		vals, ok := known[i]
		if !ok {
			var err error
			if vals, err = db.customerArgs(cs[i], true); err != nil {
				return err
			}
		}
		args = append(append(args, ids[i], ledgerNo, cs[i].No), vals...)
	}
	written := map[string]bool{}
	if err := addStrings(written)(tx.QueryContext(ctx, db.Q(`INSERT INTO customers (id, ledger_no, customer_no, `+writeColumns+`) VALUES `+
		row+strings.Repeat(", "+row, len(chunk)-1)+` ON CONFLICT (ledger_no, customer_no) DO NOTHING RETURNING customer_no`), args...)); err != nil {
		return err
	}
	for _, i := range chunk {
		stored[i] = written[cs[i].No] // the numbers of a chunk are distinct
	}
	return nil
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

// erasedAmong are the numbers of cs that erased customers had: a bulk
// write skips them as it skips numbers in use. A ledger without erasures
// costs one query.
func (db *DB) erasedAmong(ctx context.Context, tx *sql.Tx, ledgerNo string, cs []*customer.Customer) (map[string]bool, error) {
	var some int
	err := tx.QueryRowContext(ctx, db.Q(`SELECT count(*) FROM (SELECT 1 FROM erased_customers WHERE ledger_no = ? LIMIT 1) AS e`), ledgerNo).Scan(&some)
	if err != nil || some == 0 {
		return nil, err
	}
	nos := make([]string, len(cs))
	for i, c := range cs {
		nos[i] = c.No
	}
	erased := map[string]bool{}
	return erased, db.amongListed(ctx, tx, erased, `SELECT customer_no FROM erased_customers WHERE ledger_no = ? AND customer_no IN `, []any{ledgerNo}, nos)
}

// amongListed adds to set which of keys query finds: query selects one
// text column and ends in IN, which gets a list of up to bulkRows keys a
// call, after the arguments of fixed.
func (db *DB) amongListed(ctx context.Context, tx *sql.Tx, set map[string]bool, query string, fixed []any, keys []string) error {
	for from := 0; from < len(keys); from += bulkRows {
		chunk := keys[from:min(from+bulkRows, len(keys))]
		args := append([]any{}, fixed...)
		for _, k := range chunk {
			args = append(args, k)
		}
		if err := addStrings(set)(tx.QueryContext(ctx, db.Q(query+`(?`+strings.Repeat(", ?", len(chunk)-1)+`)`), args...)); err != nil {
			return err
		}
	}
	return nil
}
