package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one schema change: the file NNNN_name.sql of an engine's
// migrations directory.
type Migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

// Migrations reads dir/*.sql of fsys in version order. Every engine names
// its files alike, so the versions recorded in schema_migrations mean the
// same change on each.
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []Migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: the name must start with its version, NNNN_", base)
		}
		if other, ok := seen[v]; ok {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, base, v)
		}
		seen[v] = base
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(body)})
	}
	return ms, nil
}

// Apply runs, inside tx, every migration of ms whose version is not yet in
// schema_migrations, and records it there in the same transaction. The
// engine creates schema_migrations and decides how migrators exclude each
// other.
func Apply(ctx context.Context, tx *sql.Tx, d Dialect, ms []Migration) error {
	q := func(s string) string {
		if d.Numbered {
			return rebind(s)
		}
		return s
	}
	for _, m := range ms {
		var n int
		if err := tx.QueryRowContext(ctx, q(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		// A file holds several statements. Without arguments both drivers
		// run them all (pgx through its simple protocol).
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), m.Version, time.Now().Unix()); err != nil {
			return err
		}
	}
	return nil
}
