package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
)

// CreatePaywayClient stores a Tulo Payway client.
func (db *DB) CreatePaywayClient(ctx context.Context, c *auth.PaywayClient) error {
	_, err := db.Write.ExecContext(ctx, db.Q(`INSERT INTO payway_clients (id, ledger_no, scopes, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)`),
		c.ID, c.LedgerNo, strings.Join(c.Scopes, " "), c.SecretHash, micros(c.CreatedAt))
	return db.Err(err)
}

// PaywayClient returns a Tulo Payway client by id.
func (db *DB) PaywayClient(ctx context.Context, id string) (*auth.PaywayClient, error) {
	c := &auth.PaywayClient{ID: id}
	var scopes string
	var created int64
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT ledger_no, scopes, secret_hash, created_at FROM payway_clients WHERE id = ?`), id).
		Scan(&c.LedgerNo, &scopes, &c.SecretHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such client.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	c.Scopes, c.CreatedAt = strings.Fields(scopes), fromMicros(created)
	return c, nil
}

// CreateWorldlineKey stores a Worldline Connect API key, its secret sealed.
func (db *DB) CreateWorldlineKey(ctx context.Context, k *auth.WorldlineKey) error {
	sealed, err := db.seal([]byte(k.Secret), keyAD(k.ID))
	if err != nil {
		return err
	}
	_, err = db.Write.ExecContext(ctx, db.Q(`INSERT INTO worldline_keys (id, ledger_no, secret, secret_sealed, created_at) VALUES (?, ?, '', ?, ?)`),
		k.ID, k.LedgerNo, sealed, micros(k.CreatedAt))
	return db.Err(err)
}

// keyAD binds a sealed API secret to its key id, so that it cannot be moved
// to another key's row.
func keyAD(id string) []byte { return []byte("worldline_keys.secret_sealed " + id) }

// WorldlineKey returns a Worldline Connect API key by id.
func (db *DB) WorldlineKey(ctx context.Context, id string) (*auth.WorldlineKey, error) {
	k := &auth.WorldlineKey{ID: id}
	var created int64
	var clear string
	var sealed []byte
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT ledger_no, secret, secret_sealed, created_at FROM worldline_keys WHERE id = ?`), id).
		Scan(&k.LedgerNo, &clear, &sealed, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such API key.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	k.CreatedAt = fromMicros(created)
	if sealed == nil {
		// Stored before secrets were sealed, and not sealed yet.
		k.Secret = clear
		return k, nil
	}
	secret, err := db.open(sealed, keyAD(id))
	if err != nil {
		return nil, err
	}
	k.Secret = string(secret)
	return k, nil
}

// sealClearSecrets seals the API secrets stored in clear by a version
// before they were sealed, and empties the clear column.
func (db *DB) sealClearSecrets(ctx context.Context) error {
	rows, err := db.Write.QueryContext(ctx, db.Q(`SELECT id, secret FROM worldline_keys WHERE secret_sealed IS NULL`))
	if err != nil {
		return db.Err(err)
	}
	clear := map[string]string{}
	for rows.Next() {
		var id, secret string
		if err := rows.Scan(&id, &secret); err != nil {
			rows.Close()
			return db.Err(err)
		}
		clear[id] = secret
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return db.Err(err)
	}
	for id, secret := range clear {
		sealed, err := db.seal([]byte(secret), keyAD(id))
		if err != nil {
			return err
		}
		if _, err := db.Write.ExecContext(ctx, db.Q(`UPDATE worldline_keys SET secret_sealed = ?, secret = '' WHERE id = ? AND secret_sealed IS NULL`), sealed, id); err != nil {
			return db.Err(err)
		}
	}
	return nil
}

// CreateWorldlineSession stores a Worldline Connect client session.
func (db *DB) CreateWorldlineSession(ctx context.Context, s *auth.WorldlineSession) error {
	_, err := db.Write.ExecContext(ctx, db.Q(`INSERT INTO worldline_sessions (secret_hash, public_id, ledger_no, customer_id, lookups, quota, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		s.SecretHash, s.PublicID, s.LedgerNo, s.CustomerID, s.Lookups, s.Quota, micros(s.CreatedAt), micros(s.ExpiresAt))
	return db.Err(err)
}

// WorldlineSession returns a client session by the hash of its id.
func (db *DB) WorldlineSession(ctx context.Context, secretHash []byte) (*auth.WorldlineSession, error) {
	s := &auth.WorldlineSession{SecretHash: secretHash}
	var created, expires, lookups, quota int64
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT public_id, ledger_no, customer_id, lookups, quota, created_at, expires_at FROM worldline_sessions WHERE secret_hash = ?`), secretHash).
		Scan(&s.PublicID, &s.LedgerNo, &s.CustomerID, &lookups, &quota, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such session.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	s.Lookups, s.Quota = int(lookups), int(quota)
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return s, nil
}

// ChargeWorldlineSession spends lookup units of a session, in one statement
// so that concurrent lookups of one session (or of several Kund processes)
// cannot overspend its quota.
func (db *DB) ChargeWorldlineSession(ctx context.Context, secretHash []byte, units int, within bool) (bool, error) {
	q := `UPDATE worldline_sessions SET lookups = lookups + ? WHERE secret_hash = ?`
	args := []any{units, secretHash}
	if within {
		q += ` AND lookups + ? <= quota`
		args = append(args, units)
	}
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.Q(q), args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, err
	}
	if n == 0 && !within {
		return false, customer.Errorf(customer.ENOTFOUND, "No such session.")
	}
	return n == 1, nil
}

// UseWorldlineSignature records a signature as used; the primary key
// decides, so two processes seeing the same signature cannot both accept it.
func (db *DB) UseWorldlineSignature(ctx context.Context, hash []byte, expires time.Time) (bool, error) {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`INSERT INTO worldline_signatures (signature_hash, expires_at) VALUES (?, ?)`), hash, micros(expires))
		return err
	})
	if db.d.IsUnique(err) {
		return false, nil
	}
	return err == nil, err
}

// Products returns a customer's products in their order;
// ECUSTOMERNOTFOUND when the ledger has no such customer.
func (db *DB) Products(ctx context.Context, ledgerNo, customerNo string) ([]customer.Product, error) {
	taken, err := db.numberTaken(ctx, db.Read, ledgerNo, customerNo)
	if err != nil {
		return nil, db.Err(err)
	}
	if !taken {
		return nil, db.Err(db.absent(ctx, db.Read, ledgerNo, customerNo))
	}
	ps, err := db.products(ctx, db.Read, ledgerNo, customerNo)
	return ps, db.Err(err)
}

// products reads a customer's products through q.
func (db *DB) products(ctx context.Context, q queryer, ledgerNo, customerNo string) ([]customer.Product, error) {
	rows, err := q.QueryContext(ctx, db.Q(`SELECT product_code, valid_to FROM customer_products WHERE ledger_no = ? AND customer_no = ? ORDER BY position`), ledgerNo, customerNo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ps := []customer.Product{}
	for rows.Next() {
		var p customer.Product
		var validTo int64
		if err := rows.Scan(&p.Code, &validTo); err != nil {
			return nil, err
		}
		p.ValidTo = fromMicros(validTo)
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// SetProducts replaces a customer's products in one transaction, and
// journals the change when the products differ from those before.
func (db *DB) SetProducts(ctx context.Context, ledgerNo, customerNo string, ps []customer.Product, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := db.lockCustomer(ctx, tx, ledgerNo, customerNo); err != nil {
			return err
		}
		before, err := db.products(ctx, tx, ledgerNo, customerNo)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q(`DELETE FROM customer_products WHERE ledger_no = ? AND customer_no = ?`), ledgerNo, customerNo); err != nil {
			return err
		}
		for i, p := range ps {
			if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO customer_products (ledger_no, customer_no, position, product_code, valid_to) VALUES (?, ?, ?, ?, ?)`),
				ledgerNo, customerNo, i, p.Code, micros(p.ValidTo)); err != nil {
				return err
			}
		}
		if customer.SameProducts(before, ps) {
			return nil
		}
		return db.journal(ctx, tx, ledgerNo, customerNo, customer.EventProductsChanged, at,
			customer.ProductList{LedgerNo: ledgerNo, CustomerNo: customerNo, Products: ps},
			customer.ProductList{LedgerNo: ledgerNo, CustomerNo: customerNo, Products: before})
	})
}

// WorldlineProducts returns a ledger's configured lookup products.
func (db *DB) WorldlineProducts(ctx context.Context, ledgerNo string) (map[int][]string, error) {
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT product_id, countries FROM worldline_products WHERE ledger_no = ?`), ledgerNo)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := map[int][]string{}
	for rows.Next() {
		var id int64
		var countries string
		if err := rows.Scan(&id, &countries); err != nil {
			return nil, db.Err(err)
		}
		out[int(id)] = strings.Fields(countries)
	}
	return out, db.Err(rows.Err())
}

// SetWorldlineProduct replaces the countries of a ledger's lookup product.
func (db *DB) SetWorldlineProduct(ctx context.Context, ledgerNo string, productID int, countries []string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.Q(`DELETE FROM worldline_products WHERE ledger_no = ? AND product_id = ?`), ledgerNo, int64(productID)); err != nil {
			return err
		}
		if len(countries) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, db.Q(`INSERT INTO worldline_products (ledger_no, product_id, countries) VALUES (?, ?, ?)`),
			ledgerNo, int64(productID), strings.Join(countries, " "))
		return err
	})
}
