package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/kund/kund/internal/keyring"
)

// Where Kund keeps sealed values, so that what was stored in clear before
// encryption at rest can be sealed in place, and a key rotation can move
// every value to the newest key (docs/privacy.md). Both walk a table in
// the order of its primary key, a batch a transaction, so they can stop
// anywhere and start again, and they run beside a serving Kund.

// sealedColumn is one column of sealed values.
type sealedColumn struct {
	table  string
	key    []string // the primary key: the order of the walk
	adCols []string // the columns the associated data is made of
	column string
	text   bool // "~" and base64 in a text column, where a clear value may wait; else bytes
	ad     func(v []string) string
}

var sealedColumns = []sealedColumn{
	{"customers", []string{"id"}, []string{"ledger_no", "customer_no"}, "sealed", true,
		func(v []string) string { return customerAD(v[0], v[1]) }},
	{"events", []string{"ledger_no", "sequence"}, []string{"ledger_no", "customer_no", "type"}, "object", true,
		func(v []string) string { return eventAD(v[0], v[1], v[2], "object") }},
	{"events", []string{"ledger_no", "sequence"}, []string{"ledger_no", "customer_no", "type"}, "previous", true,
		func(v []string) string { return eventAD(v[0], v[1], v[2], "previous") }},
	{"kyc_answers", []string{"id"}, []string{"ledger_no", "customer_no"}, "answers", true,
		func(v []string) string { return kycAD(v[0], v[1]) }},
	{"surpluses", []string{"id"}, []string{"ledger_no", "customer_no", "surplus_id"}, "active_order", true,
		func(v []string) string { return orderAD(v[0], v[1], v[2]) }},
	{"webhooks", []string{"id"}, []string{"ledger_no"}, "secret", false,
		func(v []string) string { return string(webhookSecretAD(v[0])) }},
	{"worldline_keys", []string{"id"}, []string{"id"}, "secret_sealed", false,
		func(v []string) string { return string(keyAD(v[0])) }},
	{"idempotency_keys", []string{"ledger_no", "credential", "idem_key"}, []string{"ledger_no", "credential", "idem_key"}, "answer", false,
		func(v []string) string { return "idempotency_keys.answer\x00" + v[0] + "\x00" + v[1] + "\x00" + v[2] }},
}

// resealBatch is how many rows one transaction of a walk looks at.
const resealBatch = 500

// Progress is told, after each batch, what a walk is at: the table and
// column, and how many values it changed there so far.
type Progress func(what string, changed int64)

// SealClear seals what was stored in clear before encryption at rest:
// each customer's identity number, e-mail address, phone number and tax
// id (with their blind indexes), and the journal's snapshots, KYC answers
// and disbursement orders. It is resumable and does nothing on a
// database that holds nothing in clear.
//
// Only a database that the migration to encryption at rest found rows in
// is walked (seal_pending); a walk that ends clears the mark, so every
// later start costs one query. (What an older Kund writes in clear after
// that is sealed by `kund keys rotate --resume`, which walks everything.)
func (db *DB) SealClear(ctx context.Context, progress Progress) error {
	var pending int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM seal_pending`).Scan(&pending); err != nil {
		return db.Err(err)
	}
	if pending == 0 {
		return nil
	}
	if err := db.sealClearCustomers(ctx, progress); err != nil {
		return err
	}
	if _, err := db.walk(ctx, progress, func(c sealedColumn, text string, _ []byte) bool {
		_, sealed, _ := sealedBytes(text)
		return c.text && !sealed
	}); err != nil {
		return err
	}
	_, err := db.Write.ExecContext(ctx, `DELETE FROM seal_pending`)
	return db.Err(err)
}

// Reseal moves every sealed value that is not under the current key
// version to it (and seals what is still clear); it returns how many it
// moved.
func (db *DB) Reseal(ctx context.Context, progress Progress) (int64, error) {
	if err := db.sealClearCustomers(ctx, progress); err != nil {
		return 0, err
	}
	current := db.keys.Current()
	return db.walk(ctx, progress, func(c sealedColumn, text string, b []byte) bool {
		if c.text {
			var sealed bool
			b, sealed, _ = sealedBytes(text)
			if !sealed {
				return true
			}
		}
		v, ok := keyring.VersionOf(b)
		return !ok || v != current
	})
}

// SealedVersions counts the sealed values under each key version, and
// (as version 0) the values still in clear.
func (db *DB) SealedVersions(ctx context.Context) (map[uint32]int64, error) {
	counts := map[uint32]int64{}
	var n int64
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE sealed IS NULL`).Scan(&n); err != nil {
		return nil, db.Err(err)
	}
	counts[0] += n
	for _, c := range sealedColumns {
		var after []any
		for {
			rows, err := db.Read.QueryContext(ctx, db.Q(c.selectBatch(after != nil, "")), append(after, resealBatch)...)
			if err != nil {
				return nil, db.Err(err)
			}
			batch, err := c.scan(rows)
			if err != nil {
				return nil, db.Err(err)
			}
			for _, r := range batch {
				b := r.bytes
				if c.text {
					var sealed bool
					if b, sealed, err = sealedBytes(r.text); err != nil {
						return nil, err
					} else if !sealed {
						counts[0]++
						continue
					}
				}
				v, _ := keyring.VersionOf(b)
				counts[v]++
			}
			if len(batch) < resealBatch {
				break
			}
			after = batch[len(batch)-1].key
		}
	}
	return counts, nil
}

// sealedRow is one row of a walk.
type sealedRow struct {
	key   []any
	ad    []string
	text  string
	bytes []byte
}

// selectBatch reads the next batch of a column's values, after the key
// given as the first arguments when after is set.
func (c sealedColumn) selectBatch(after bool, forUpdate string) string {
	where := c.column + " IS NOT NULL"
	if after {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(c.key)), ", ")
		where += " AND (" + strings.Join(c.key, ", ") + ") > (" + marks + ")"
	}
	return `SELECT ` + strings.Join(c.key, ", ") + `, ` + strings.Join(c.adCols, ", ") + `, ` + c.column + ` FROM ` + c.table +
		` WHERE ` + where + ` ORDER BY ` + strings.Join(c.key, ", ") + ` LIMIT ?` + forUpdate
}

func (c sealedColumn) scan(rows *sql.Rows) ([]sealedRow, error) {
	defer rows.Close()
	var out []sealedRow
	for rows.Next() {
		r := sealedRow{key: make([]any, len(c.key)), ad: make([]string, len(c.adCols))}
		dest := make([]any, 0, len(c.key)+len(c.adCols)+1)
		for i := range r.key {
			dest = append(dest, &r.key[i])
		}
		for i := range r.ad {
			dest = append(dest, &r.ad[i])
		}
		if c.text {
			dest = append(dest, &r.text)
		} else {
			dest = append(dest, &r.bytes)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, k := range r.key {
			if b, ok := k.([]byte); ok { // some drivers give text keys as bytes
				r.key[i] = string(b)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// walk seals again, under the current key, every value of every sealed
// column that change selects; it returns how many it changed.
func (db *DB) walk(ctx context.Context, progress Progress, change func(c sealedColumn, text string, b []byte) bool) (int64, error) {
	if db.keys == nil {
		return 0, errNoKey
	}
	var total int64
	for _, c := range sealedColumns {
		var after []any
		var changed int64
		for {
			var batch []sealedRow
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				rows, err := tx.QueryContext(ctx, db.Q(c.selectBatch(after != nil, db.d.ForUpdate)), append(after, resealBatch)...)
				if err != nil {
					return err
				}
				if batch, err = c.scan(rows); err != nil {
					return err
				}
				n, err := db.resealRows(ctx, tx, c, batch, change)
				changed += n
				return err
			})
			if err != nil {
				return total, fmt.Errorf("%s.%s: %w", c.table, c.column, err)
			}
			if progress != nil {
				progress(c.table+"."+c.column, changed)
			}
			if len(batch) < resealBatch {
				break
			}
			after = batch[len(batch)-1].key
		}
		total += changed
	}
	return total, nil
}

func (db *DB) resealRows(ctx context.Context, tx *sql.Tx, c sealedColumn, batch []sealedRow, change func(c sealedColumn, text string, b []byte) bool) (int64, error) {
	var n int64
	where := strings.Join(c.key, " = ? AND ") + " = ?"
	for _, r := range batch {
		if !change(c, r.text, r.bytes) {
			continue
		}
		ad := c.ad(r.ad)
		var value any
		if c.text {
			plain, err := db.openText(r.text, ad)
			if err != nil {
				return n, err
			}
			if value, err = db.sealText(plain, ad); err != nil {
				return n, err
			}
		} else {
			plain, err := db.open(r.bytes, []byte(ad))
			if err != nil {
				return n, err
			}
			if value, err = db.seal(plain, []byte(ad)); err != nil {
				return n, err
			}
		}
		if _, err := tx.ExecContext(ctx, db.Q(`UPDATE `+c.table+` SET `+c.column+` = ? WHERE `+where), append([]any{value}, r.key...)...); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// sealClearCustomers seals the personal data of the customers written
// before encryption at rest (sealed IS NULL) and fills in their blind
// indexes; their clear columns are emptied.
func (db *DB) sealClearCustomers(ctx context.Context, progress Progress) error {
	var changed int64
	for {
		n := 0
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, db.Q(`SELECT id, ledger_no, customer_no, reg_no, email, msisdn, tax_id FROM customers
				WHERE sealed IS NULL ORDER BY id LIMIT ?`+db.d.ForUpdate), resealBatch)
			if err != nil {
				return err
			}
			type clear struct {
				id                   int64
				ledgerNo, no         string
				regNo                sql.NullString
				email, msisdn, taxID string
			}
			var batch []clear
			for rows.Next() {
				var c clear
				if err := rows.Scan(&c.id, &c.ledgerNo, &c.no, &c.regNo, &c.email, &c.msisdn, &c.taxID); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, c)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			for _, c := range batch {
				sealed, err := db.sealPersonal(c.ledgerNo, c.no, c.regNo.String, c.email, c.msisdn, c.taxID)
				if err != nil {
					return err
				}
				idx, err := db.personalIndexes(c.ledgerNo, c.regNo.String, c.email, c.msisdn)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, db.Q(`UPDATE customers SET sealed = ?, reg_index = ?, email_index = ?, msisdn_index = ?,
					reg_no = NULL, email = '', msisdn = '', tax_id = '' WHERE id = ?`), sealed, idx[0], idx[1], idx[2], c.id); err != nil {
					return err
				}
			}
			n = len(batch)
			return nil
		})
		if err != nil {
			return fmt.Errorf("customers: %w", err)
		}
		changed += int64(n)
		if n > 0 && progress != nil {
			progress("customers", changed)
		}
		if n < resealBatch {
			return nil
		}
	}
}
