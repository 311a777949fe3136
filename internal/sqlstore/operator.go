package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/operator"
)

const operatorColumns = `id, name, role, ledgers, password_hash, disabled, created_at, updated_at`

func scanOperator(row interface{ Scan(...any) error }) (*operator.Operator, error) {
	o := &operator.Operator{}
	var ledgers string
	var created, updated int64
	err := row.Scan(&o.ID, &o.Name, &o.Role, &ledgers, &o.PasswordHash, &o.Disabled, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such operator.")
	} else if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ledgers), &o.Ledgers); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return o, nil
}

func ledgersJSON(o *operator.Operator) string {
	ls := o.Ledgers
	if ls == nil {
		ls = []string{}
	}
	b, _ := json.Marshal(ls) // strings always marshal
	return string(b)
}

// CreateOperator stores a new operator and sets its ID; ECONFLICT when the
// name is taken (the unique index decides).
func (db *DB) CreateOperator(ctx context.Context, o *operator.Operator) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, db.Q(`INSERT INTO operators (name, role, ledgers, password_hash, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			o.Name, o.Role, ledgersJSON(o), o.PasswordHash, o.Disabled, micros(o.CreatedAt), micros(o.UpdatedAt)).Scan(&o.ID)
	})
	if db.d.IsUnique(err) {
		return customer.Errorf(customer.ECONFLICT, "An operator of that name exists.")
	}
	return db.Err(err)
}

// Operator returns an operator by name.
func (db *DB) Operator(ctx context.Context, name string) (*operator.Operator, error) {
	o, err := scanOperator(db.Read.QueryRowContext(ctx, db.Q(`SELECT `+operatorColumns+` FROM operators WHERE name = ?`), name))
	return o, db.Err(err)
}

// OperatorByID returns an operator by id.
func (db *DB) OperatorByID(ctx context.Context, id int64) (*operator.Operator, error) {
	o, err := scanOperator(db.Read.QueryRowContext(ctx, db.Q(`SELECT `+operatorColumns+` FROM operators WHERE id = ?`), id))
	return o, db.Err(err)
}

// Operators lists every operator by name.
func (db *DB) Operators(ctx context.Context) ([]*operator.Operator, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT `+operatorColumns+` FROM operators ORDER BY name`)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	var ops []*operator.Operator
	for rows.Next() {
		o, err := scanOperator(rows)
		if err != nil {
			return nil, db.Err(err)
		}
		ops = append(ops, o)
	}
	return ops, db.Err(rows.Err())
}

// UpdateOperator reads an operator, lets fn change it and writes it back,
// in one transaction with the row locked. The name and id do not change.
func (db *DB) UpdateOperator(ctx context.Context, name string, fn func(*operator.Operator) error) (*operator.Operator, error) {
	var fnErr error
	var o *operator.Operator
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = scanOperator(tx.QueryRowContext(ctx, db.Q(`SELECT `+operatorColumns+` FROM operators WHERE name = ?`+db.d.ForUpdate), name))
		if err != nil {
			return err
		}
		if fnErr = fn(o); fnErr != nil {
			return fnErr
		}
		_, err = tx.ExecContext(ctx, db.Q(`UPDATE operators SET role = ?, ledgers = ?, password_hash = ?, disabled = ?, updated_at = ? WHERE id = ?`),
			o.Role, ledgersJSON(o), o.PasswordHash, o.Disabled, micros(o.UpdatedAt), o.ID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, db.Err(err)
	}
	return o, nil
}

// CreateOperatorSession stores a new session.
func (db *DB) CreateOperatorSession(ctx context.Context, s *operator.Session) error {
	return db.Err(db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`INSERT INTO operator_sessions (id_hash, operator_id, csrf, lang, created_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)`),
			s.IDHash, s.OperatorID, s.CSRF, s.Lang, micros(s.CreatedAt), micros(s.SeenAt))
		return err
	}))
}

// OperatorSession returns a session by the hash of its id.
func (db *DB) OperatorSession(ctx context.Context, idHash []byte) (*operator.Session, error) {
	s := &operator.Session{IDHash: idHash}
	var created, seen int64
	err := db.Read.QueryRowContext(ctx, db.Q(`SELECT operator_id, csrf, lang, created_at, seen_at FROM operator_sessions WHERE id_hash = ?`), idHash).
		Scan(&s.OperatorID, &s.CSRF, &s.Lang, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such session.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	s.CreatedAt, s.SeenAt = fromMicros(created), fromMicros(seen)
	return s, nil
}

// UpdateOperatorSession writes a session's SeenAt and Lang; ENOTFOUND when
// it has ended.
func (db *DB) UpdateOperatorSession(ctx context.Context, s *operator.Session) error {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE operator_sessions SET seen_at = ?, lang = ? WHERE id_hash = ?`), micros(s.SeenAt), s.Lang, s.IDHash)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return db.Err(err)
	}
	if n == 0 {
		return customer.Errorf(customer.ENOTFOUND, "No such session.")
	}
	return nil
}

// DeleteOperatorSession ends a session; one already ended is no error.
func (db *DB) DeleteOperatorSession(ctx context.Context, idHash []byte) error {
	return db.Err(db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`DELETE FROM operator_sessions WHERE id_hash = ?`), idHash)
		return err
	}))
}

// DeleteOperatorSessions ends every session of an operator.
func (db *DB) DeleteOperatorSessions(ctx context.Context, operatorID int64) error {
	return db.Err(db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`DELETE FROM operator_sessions WHERE operator_id = ?`), operatorID)
		return err
	}))
}
