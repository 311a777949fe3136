package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/kund/kund/internal/register"
)

// LogRegisterLookup appends an entry to the disclosure log. RETURNING is
// accepted by SQLite (3.35+) and PostgreSQL alike, so the id comes back in
// the same statement on both.
func (db *DB) LogRegisterLookup(ctx context.Context, l *register.Lookup) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if l.Source == "" {
			l.Source = register.SourceRegister
		}
		return tx.QueryRowContext(ctx, db.Q(`INSERT INTO register_lookups (ledger_no, token_id, subject_hash, purpose, source, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			l.LedgerNo, l.TokenID, l.SubjectHash, l.Purpose, l.Source, l.Outcome, micros(l.At)).Scan(&l.ID)
	})
}

// RegisterLookups returns a page of a ledger's disclosure log, newest first.
func (db *DB) RegisterLookups(ctx context.Context, ledgerNo string, subjects []string, skip, limit int) ([]*register.Lookup, error) {
	q := `SELECT id, token_id, subject_hash, purpose, source, outcome, at FROM register_lookups WHERE ledger_no = ? ORDER BY id DESC LIMIT ? OFFSET ?`
	args := []any{ledgerNo, limit, skip}
	if len(subjects) > 0 {
		q = `SELECT id, token_id, subject_hash, purpose, source, outcome, at FROM register_lookups WHERE ledger_no = ? AND subject_hash IN (?` +
			strings.Repeat(", ?", len(subjects)-1) + `) ORDER BY id DESC LIMIT ? OFFSET ?`
		args = []any{ledgerNo}
		for _, s := range subjects {
			args = append(args, s)
		}
		args = append(args, limit, skip)
	}
	rows, err := db.Read.QueryContext(ctx, db.Q(q), args...)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := []*register.Lookup{}
	for rows.Next() {
		l := &register.Lookup{LedgerNo: ledgerNo}
		var at int64
		if err := rows.Scan(&l.ID, &l.TokenID, &l.SubjectHash, &l.Purpose, &l.Source, &l.Outcome, &at); err != nil {
			return nil, db.Err(err)
		}
		l.At = fromMicros(at)
		out = append(out, l)
	}
	return out, db.Err(rows.Err())
}
