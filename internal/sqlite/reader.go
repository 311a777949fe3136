package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	zs "zombiezen.com/go/sqlite"

	"github.com/kund/kund/internal/sqlstore"
)

// reader runs the store's hottest reads on connections of
// zombiezen.com/go/sqlite: the same SQLite (modernc's translation of it, in
// this process, so the file's locks are shared with the database/sql
// connections) without database/sql's and the driver's work per query and
// column. A read of a customer cost half as much (docs/performance.md,
// "Seventh session").
//
// The connections are kept in a channel rather than sqlitex.Pool, whose
// Take starts a goroutine per call to watch the context: these reads are
// index lookups that do not follow cancellation (see sqlstore's readRow),
// and a page of a list is bounded by its limit.
type reader struct {
	free   chan *conn
	closed chan struct{} // closed by close: no connection is taken or given back

	mu       sync.Mutex // orders close against give
	isClosed bool
}

// conn is a reader connection with its prepared statements.
type conn struct {
	c     *zs.Conn
	stmts map[string]*stmt
}

// stmt is a prepared statement and the values bound to it. A value equal
// to the one bound before is not bound again: with a bound LIMIT (and any
// parameter the query planner looks at), SQLite prepares the statement
// anew after every binding of it, which made a find cost 60 µs instead of
// 7 (docs/performance.md, "Seventh session"). zombiezen's own cache of
// statements clears the bindings for that reason too, so it is not used.
type stmt struct {
	s     *zs.Stmt
	bound []any
}

// forget makes the next bind bind every argument: after an error, what
// bound holds may not be what the statement has (zombiezen reports a
// failed bind only at the next step).
func (st *stmt) forget() {
	st.bound = nil
	st.s.ClearBindings()
}

func openReader(path string, n int) (*reader, error) {
	r := &reader{free: make(chan *conn, n), closed: make(chan struct{})}
	for range n {
		c, err := openReadConn(path)
		if err != nil {
			r.close()
			return nil, err
		}
		rc := &conn{c: c, stmts: map[string]*stmt{}}
		r.free <- rc
	}
	return r, nil
}

// openReadConn opens a connection with the pragmas of dsn's read
// connections: a page cache of 8 MiB, no writes.
func openReadConn(path string) (*zs.Conn, error) {
	c, err := zs.OpenConn("file:"+path, zs.OpenReadWrite|zs.OpenURI)
	if err != nil {
		return nil, err
	}
	c.SetBusyTimeout(10 * time.Second)
	for _, p := range []string{"PRAGMA cache_size = -8192", "PRAGMA query_only = 1"} {
		if err := exec(c, p); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// dataVersion is the read cache's check (sqlstore.Checker): PRAGMA
// data_version on a connection of its own, which changes whenever another
// connection, of this process or another, has committed.
type dataVersion struct {
	path string
	c    *zs.Conn // nil after a failure
	s    *zs.Stmt
}

func (k *dataVersion) Version(ctx context.Context) (string, error) {
	if k.c == nil {
		c, err := openReadConn(k.path)
		if err != nil {
			return "", err
		}
		s, _, err := c.PrepareTransient("PRAGMA data_version")
		if err != nil {
			c.Close()
			return "", err
		}
		k.c, k.s = c, s
	}
	ok, err := k.s.Step()
	if err == nil && !ok {
		err = errors.New("sqlite: PRAGMA data_version gave no row")
	}
	if err != nil {
		k.Close()
		return "", err
	}
	v := k.s.ColumnText(0)
	if err := k.s.Reset(); err != nil {
		k.Close()
		return "", err
	}
	return v, nil
}

func (k *dataVersion) Close() error {
	if k.c == nil {
		return nil
	}
	k.s.Finalize()
	err := k.c.Close()
	k.c, k.s = nil, nil
	return err
}

func exec(c *zs.Conn, query string) error {
	s, _, err := c.PrepareTransient(query)
	if err != nil {
		return err
	}
	defer s.Finalize()
	_, err = s.Step()
	return err
}

// close closes the connections that are free now; one in use is closed
// when it is given back, so none is closed under a read.
func (r *reader) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.isClosed {
		return nil
	}
	r.isClosed = true
	close(r.closed)
	var errs []error
	for {
		select {
		case c := <-r.free:
			errs = append(errs, c.close())
		default:
			return errors.Join(errs...)
		}
	}
}

// give gives c back, or closes it if the reader is closed.
func (r *reader) give(c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.isClosed {
		c.close()
		return
	}
	r.free <- c
}

func (c *conn) close() error {
	var errs []error
	for _, s := range c.stmts {
		errs = append(errs, s.s.Finalize())
	}
	return errors.Join(append(errs, c.c.Close())...)
}

var errReaderClosed = errors.New("sqlite: the store is closed")

func (r *reader) take(ctx context.Context) (*conn, error) {
	select {
	case c := <-r.free:
		return c, nil
	default:
	}
	select {
	case c := <-r.free:
		return c, nil
	case <-r.closed:
		return nil, errReaderClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// prepared takes a connection and binds args to query's statement on it.
func (r *reader) prepared(ctx context.Context, query string, args []any) (*conn, *stmt, error) {
	c, err := r.take(ctx)
	if err != nil {
		return nil, nil, err
	}
	st := c.stmts[query]
	if st == nil {
		s, _, err := c.c.PrepareTransient(query)
		if err != nil {
			r.give(c)
			return nil, nil, err
		}
		st = &stmt{s: s}
		c.stmts[query] = st
	}
	if err := st.bind(args); err != nil {
		st.s.Reset()
		st.forget()
		r.give(c)
		return nil, nil, err
	}
	return c, st, nil
}

func (r *reader) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	c, s, err := r.prepared(ctx, query, args)
	if err != nil {
		return &row{err: err}
	}
	return &row{r: r, c: c, st: s}
}

func (r *reader) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	c, s, err := r.prepared(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return &rows{r: r, c: c, st: s}, nil
}

type row struct {
	r   *reader
	c   *conn
	st  *stmt
	err error
}

func (w *row) Scan(dest ...any) error {
	if w.err != nil {
		return w.err
	}
	if w.st == nil {
		return errors.New("sqlite: Scan of a row scanned before")
	}
	defer w.release()
	ok, err := w.st.s.Step()
	if err != nil {
		w.st.forget()
		return err
	}
	if !ok {
		return sql.ErrNoRows
	}
	return scan(w.st.s, dest)
}

func (w *row) release() {
	w.st.s.Reset()
	w.r.give(w.c)
	w.c, w.st = nil, nil
}

type rows struct {
	r   *reader
	c   *conn
	st  *stmt
	err error
	row bool
}

func (w *rows) Next() bool {
	if w.st == nil || w.err != nil {
		return false
	}
	w.row, w.err = w.st.s.Step()
	if w.err != nil {
		w.st.forget()
	}
	if !w.row {
		w.Close()
	}
	return w.row
}

func (w *rows) Scan(dest ...any) error {
	if !w.row {
		return errors.New("sqlite: Scan without a row")
	}
	return scan(w.st.s, dest)
}

func (w *rows) Err() error { return w.err }

func (w *rows) Close() error {
	if w.st != nil {
		w.st.s.Reset()
		w.r.give(w.c)
		w.c, w.st, w.row = nil, nil, false
	}
	return nil
}

// bind binds the store's argument types to the statement's parameters,
// those that differ from what is bound already.
func (st *stmt) bind(args []any) error {
	s := st.s
	if n := s.BindParamCount(); n != len(args) {
		return fmt.Errorf("sqlite: %d arguments for %d parameters", len(args), n)
	}
	if st.bound == nil {
		st.bound = make([]any, len(args))
	}
	for i, a := range args {
		p := i + 1
		v, err := bindable(a)
		if err != nil {
			return fmt.Errorf("sqlite: argument %d: %w", p, err)
		}
		if v != nil && st.bound[i] == v {
			continue
		}
		switch v := v.(type) {
		case nil:
			s.BindNull(p)
		case string:
			s.BindText(p, v)
		case blob:
			s.BindBytes(p, []byte(v))
		case int64:
			s.BindInt64(p, v)
		case bool:
			s.BindBool(p, v)
		case float64:
			s.BindFloat(p, v)
		}
		st.bound[i] = v
	}
	return nil
}

// bindable is a as one of the comparable types bind binds.
func bindable(a any) (any, error) {
	if v, ok := a.(driver.Valuer); ok {
		var err error
		if a, err = v.Value(); err != nil {
			return nil, err
		}
	}
	switch v := a.(type) {
	case nil, string, int64, bool, float64:
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case []byte:
		if v == nil {
			return nil, nil
		}
		// A copy: the caller may change its slice.
		return blob(v), nil
	}
	return nil, fmt.Errorf("unsupported type %T", a)
}

// blob is a bound []byte, kept comparable.
type blob string

// scan converts the columns of s's row into dest as database/sql would for
// the types the store scans into.
func scan(s *zs.Stmt, dest []any) error {
	if n := s.ColumnCount(); n != len(dest) {
		return fmt.Errorf("sqlite: %d destinations for %d columns", len(dest), n)
	}
	for i, d := range dest {
		null := s.ColumnType(i) == zs.TypeNull
		switch d := d.(type) {
		case *string:
			if null {
				return nullInto(s, i, d)
			}
			*d = s.ColumnText(i)
		case *int64:
			if null {
				return nullInto(s, i, d)
			}
			*d = s.ColumnInt64(i)
		case *int:
			if null {
				return nullInto(s, i, d)
			}
			*d = int(s.ColumnInt64(i))
		case *bool:
			if null {
				return nullInto(s, i, d)
			}
			*d = s.ColumnInt64(i) != 0
		case *float64:
			if null {
				return nullInto(s, i, d)
			}
			*d = s.ColumnFloat(i)
		case *[]byte:
			if null {
				*d = nil
				continue
			}
			b := make([]byte, s.ColumnLen(i))
			s.ColumnBytes(i, b)
			*d = b
		case *sql.NullString:
			*d = sql.NullString{String: s.ColumnText(i), Valid: !null}
		case *sql.NullInt64:
			*d = sql.NullInt64{Int64: s.ColumnInt64(i), Valid: !null}
		case sql.Scanner:
			if err := d.Scan(value(s, i)); err != nil {
				return fmt.Errorf("sqlite: column %q: %w", s.ColumnName(i), err)
			}
		default:
			return fmt.Errorf("sqlite: column %q: unsupported destination %T", s.ColumnName(i), d)
		}
	}
	return nil
}

func nullInto(s *zs.Stmt, i int, d any) error {
	return fmt.Errorf("sqlite: column %q: converting NULL to %T is unsupported", s.ColumnName(i), d)
}

// value is column i as database/sql's driver would give it to a Scanner.
func value(s *zs.Stmt, i int) any {
	switch s.ColumnType(i) {
	case zs.TypeNull:
		return nil
	case zs.TypeInteger:
		return s.ColumnInt64(i)
	case zs.TypeFloat:
		return s.ColumnFloat(i)
	case zs.TypeText:
		return s.ColumnText(i)
	default:
		b := make([]byte, s.ColumnLen(i))
		s.ColumnBytes(i, b)
		return b
	}
}
