package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// copyRowTime is what the bound of a copy allows for each row, beyond
// callTimeout: a copy of a bulk write's 100,000 rows is one call of many
// seconds (more while the server checkpoints), still bounded when the
// server stops answering.
const copyRowTime = time.Millisecond

// copyRows writes n rows into table with COPY, on conn's pgx connection
// and inside the transaction open on it (sqlstore.Dialect.Copy). pgx asks
// for the rows on a goroutine of its own, and has returned from it when
// CopyFrom returns.
func copyRows(ctx context.Context, conn *sql.Conn, table string, columns []string, n int, row func(k int) ([]any, error)) error {
	return conn.Raw(func(dc any) error {
		bc, ok := dc.(*boundedConn)
		if !ok {
			return fmt.Errorf("postgres: unexpected driver connection %T", dc)
		}
		ctx, cancel := context.WithTimeout(ctx, callTimeout+time.Duration(n)*copyRowTime)
		defer cancel()
		k := 0
		var rowErr error // the server only hears that the copy was given up
		copied, err := bc.Conn.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromFunc(func() (values []any, err error) {
			if k == n {
				return nil, nil
			}
			defer func() {
				// Nothing recovers a panic on pgx's goroutine: it would end
				// the process.
				if p := recover(); p != nil {
					err = fmt.Errorf("postgres: row %d of a copy into %s: %v", k, table, p)
				}
				rowErr = err
			}()
			values, err = row(k)
			k++
			return values, err
		}))
		if rowErr != nil {
			return rowErr
		}
		if err == nil && copied != int64(n) {
			err = fmt.Errorf("postgres: copied %d rows of %d into %s", copied, n, table)
		}
		return err
	})
}
