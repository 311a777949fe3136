package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

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

// CreateWorldlineKey stores a Worldline Connect API key.
func (db *DB) CreateWorldlineKey(ctx context.Context, k *auth.WorldlineKey) error {
	_, err := db.Write.ExecContext(ctx, db.Q(`INSERT INTO worldline_keys (id, ledger_no, secret, created_at) VALUES (?, ?, ?, ?)`),
		k.ID, k.LedgerNo, k.Secret, micros(k.CreatedAt))
	return db.Err(err)
}

// WorldlineKey returns a Worldline Connect API key by id.
func (db *DB) WorldlineKey(ctx context.Context, id string) (*auth.WorldlineKey, error) {
	k := &auth.WorldlineKey{ID: id}
	var created int64
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT ledger_no, secret, created_at FROM worldline_keys WHERE id = ?`), id).
		Scan(&k.LedgerNo, &k.Secret, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such API key.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	k.CreatedAt = fromMicros(created)
	return k, nil
}

// CreateWorldlineSession stores a Worldline Connect client session.
func (db *DB) CreateWorldlineSession(ctx context.Context, s *auth.WorldlineSession) error {
	_, err := db.Write.ExecContext(ctx, db.Q(`INSERT INTO worldline_sessions (id, ledger_no, customer_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		s.ID, s.LedgerNo, s.CustomerID, micros(s.CreatedAt), micros(s.ExpiresAt))
	return db.Err(err)
}

// WorldlineSession returns a client session by id.
func (db *DB) WorldlineSession(ctx context.Context, id string) (*auth.WorldlineSession, error) {
	s := &auth.WorldlineSession{ID: id}
	var created, expires int64
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT ledger_no, customer_id, created_at, expires_at FROM worldline_sessions WHERE id = ?`), id).
		Scan(&s.LedgerNo, &s.CustomerID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such session.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return s, nil
}

// Products returns a customer's products in their order;
// ECUSTOMERNOTFOUND when the ledger has no such customer.
func (db *DB) Products(ctx context.Context, ledgerNo, customerNo string) ([]customer.Product, error) {
	var n int
	if err := db.Read.QueryRowContext(ctx, db.Q(`SELECT count(*) FROM customers WHERE ledger_no = ? AND customer_no = ?`), ledgerNo, customerNo).Scan(&n); err != nil {
		return nil, db.Err(err)
	}
	if n == 0 {
		return nil, customer.Errorf(customer.ECUSTOMERNOTFOUND, "The customer was not found.")
	}
	rows, err := db.Read.QueryContext(ctx, db.Q(`SELECT product_code, valid_to FROM customer_products WHERE ledger_no = ? AND customer_no = ? ORDER BY position`), ledgerNo, customerNo)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	ps := []customer.Product{}
	for rows.Next() {
		var p customer.Product
		var validTo int64
		if err := rows.Scan(&p.Code, &validTo); err != nil {
			return nil, db.Err(err)
		}
		p.ValidTo = fromMicros(validTo)
		ps = append(ps, p)
	}
	return ps, db.Err(rows.Err())
}

// SetProducts replaces a customer's products in one transaction.
func (db *DB) SetProducts(ctx context.Context, ledgerNo, customerNo string, ps []customer.Product) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.Q(`SELECT count(*) FROM customers WHERE ledger_no = ? AND customer_no = ?`), ledgerNo, customerNo).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return customer.Errorf(customer.ECUSTOMERNOTFOUND, "The customer was not found.")
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
		return nil
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
