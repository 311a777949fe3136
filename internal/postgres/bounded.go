package postgres

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// callTimeout bounds every round trip to the server: a statement, BEGIN,
// COMMIT or ROLLBACK that has no answer by then fails, and the API answers
// 503. It covers what the connect and TCP timeouts cannot: a server that
// still accepts and acknowledges but no longer answers, or a row lock held
// by a stuck transaction. Kund's statements are index lookups of a few
// milliseconds; one that waits this long is better answered with "try
// again" than left hanging.
const callTimeout = 1500 * time.Millisecond

// boundedConnector hands out connections whose every call is bounded.
type boundedConnector struct {
	driver.Connector
}

func (c boundedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("postgres: unexpected driver connection %T", conn)
	}
	return &boundedConn{Conn: sc}, nil
}

// boundedConn is pgx's database/sql connection with deadlines. Statements
// get a context deadline, which pgx enforces by cancelling the query. BEGIN
// and COMMIT take their context at BEGIN (pgx keeps it for COMMIT), so
// they are bounded by a timer that closes the socket instead: the call
// then fails at once and the pool drops the connection.
type boundedConn struct {
	*stdlib.Conn
}

func (c *boundedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return c.Conn.ExecContext(ctx, query, args)
}

func (c *boundedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return boundedQuery(ctx, func(ctx context.Context) (driver.Rows, error) { return c.Conn.QueryContext(ctx, query, args) })
}

// boundedQuery runs a query under the call bound. The rows are read after
// the call returns: the deadline ends with them.
func boundedQuery(ctx context.Context, query func(context.Context) (driver.Rows, error)) (driver.Rows, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	rows, err := query(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	return &boundedRows{Rows: rows.(*stdlib.Rows), cancel: cancel}, nil
}

func (c *boundedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var tx driver.Tx
	err := c.bounded(func() (err error) {
		tx, err = c.Conn.BeginTx(ctx, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &boundedTx{Tx: tx, c: c}, nil
}

// bounded runs a call that cannot take a deadline, closing the socket when
// it has no answer in time.
func (c *boundedConn) bounded(call func() error) error {
	timer := time.AfterFunc(callTimeout, func() { c.Conn.Conn().PgConn().Conn().Close() })
	err := call()
	if !timer.Stop() && err != nil {
		return fmt.Errorf("no answer from the database in %v: %w (%v)", callTimeout, context.DeadlineExceeded, err)
	}
	return err
}

type boundedTx struct {
	driver.Tx
	c *boundedConn
}

func (t *boundedTx) Commit() error   { return t.c.bounded(t.Tx.Commit) }
func (t *boundedTx) Rollback() error { return t.c.bounded(t.Tx.Rollback) }

type boundedRows struct {
	*stdlib.Rows
	cancel context.CancelFunc
}

func (r *boundedRows) Close() error {
	defer r.cancel()
	return r.Rows.Close()
}

// PrepareContext bounds prepared statements like the others: pgx's
// statement runs on its own connection object, past ExecContext and
// QueryContext above, so without this a prepared statement waiting on a
// stuck row lock would wait forever.
func (c *boundedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	st, err := c.Conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &boundedStmt{Stmt: st.(*stdlib.Stmt)}, nil
}

type boundedStmt struct {
	*stdlib.Stmt
}

func (s *boundedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return s.Stmt.ExecContext(ctx, args)
}

func (s *boundedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return boundedQuery(ctx, func(ctx context.Context) (driver.Rows, error) { return s.Stmt.QueryContext(ctx, args) })
}
