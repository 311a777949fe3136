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

// CreateToken stores a token.
func (db *DB) CreateToken(ctx context.Context, t *auth.Token) error {
	scopes := make([]string, len(t.Scopes))
	for i, s := range t.Scopes {
		scopes[i] = string(s)
	}
	kind := t.Kind
	if kind == "" {
		kind = auth.KindToken
	}
	_, err := db.Write.ExecContext(ctx, db.Q(`INSERT INTO tokens (id, kind, ledger_no, scopes, rate_limit, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		t.ID, kind, t.LedgerNo, strings.Join(scopes, " "), t.Rate, t.SecretHash, micros(t.CreatedAt), nullMicros(t.ExpiresAt))
	return db.Err(err)
}

// Token returns a token by id.
func (db *DB) Token(ctx context.Context, id string) (*auth.Token, error) {
	return readThrough(db, ctx, (*readCache).tokenMap, id, func() (*auth.Token, error) { return db.token(ctx, id) })
}

func (db *DB) token(ctx context.Context, id string) (*auth.Token, error) {
	t := &auth.Token{ID: id}
	var scopes string
	var created int64
	var expires, revoked sql.NullInt64
	err := db.readRow(ctx, `SELECT kind, ledger_no, scopes, rate_limit, secret_hash, created_at, expires_at, revoked_at FROM tokens WHERE id = ?`, id).
		Scan(&t.Kind, &t.LedgerNo, &scopes, &t.Rate, &t.SecretHash, &created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customer.Errorf(customer.ENOTFOUND, "No such token.")
	} else if err != nil {
		return nil, db.Err(err)
	}
	for _, s := range strings.Fields(scopes) {
		t.Scopes = append(t.Scopes, customer.Scope(s))
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = fromMicros(created), fromNullMicros(expires), fromNullMicros(revoked)
	return t, nil
}

// RevokeToken marks a token revoked.
func (db *DB) RevokeToken(ctx context.Context, id string, at time.Time) error {
	res, err := db.Write.ExecContext(ctx, db.Q(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`), micros(at), id)
	if err != nil {
		return db.Err(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return customer.Errorf(customer.ENOTFOUND, "No such token, or it is already revoked.")
	}
	return nil
}
