package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
)

// The read cache keeps what nearly every request reads besides its own
// data: the token that authenticates it and the ledger it addresses. Both
// were a query each per request (a third of the CPU of a GET, profile in
// docs/performance.md).
//
// It can never serve stale data. Each engine has a cheap question whose
// answer changes whenever a commit becomes visible: SQLite's PRAGMA
// data_version (changes when any other connection, of this process or
// another, commits), PostgreSQL's pg_current_snapshot() (a transaction
// that ends leaves the in-progress list or moves xmax; xids never repeat).
// (PostgreSQL's WAL position is not such an answer: a commit is in the WAL
// before other sessions see it, so a read between the two can see the old
// row under the new position. TestReadCacheIsNeverStale caught that.)
// Two equal answers mean nothing became visible in between. A request waits for the answer of a check that
// *started after it arrived*, and an entry is used only if it was read
// under the version that check saw. Concurrent requests share one check
// (the same idea as group commit, for reads). Any commit anywhere, a token
// revoked by `kund token revoke` in another process or another Kund
// included, empties the cache for the next request. A failed check means
// no cache for the requests waiting on it, and the next check starts a new
// epoch on a new connection, so versions of two connections (or of a
// server before and after a restore) are never compared.

// maxCached bounds each map; when one is full it is emptied (tokens and
// ledgers are few, so this only guards against a flood of distinct ids).
const maxCached = 10000

// version is what one check saw: the epoch counts the connections the
// checks have run on. Versions are only ever compared for equality.
type version struct {
	epoch uint64
	v     string
}

type readCache struct {
	check Checker

	// The freshness barrier.
	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	started uint64 // sequence number of the last check begun
	done    uint64 // sequence number of the last check finished
	seen    version
	seenErr error
	failed  bool // the last check failed: the next begins a new epoch
	epoch   uint64
	closed  bool // no check runs any more

	// The entries, valid for ver only.
	emu     sync.RWMutex
	ver     version
	tokens  map[string]*auth.Token
	ledgers map[string]*customer.Ledger
}

// Checker asks the read cache's question on a connection of its own that
// no transaction ever holds: its answer must differ from every earlier one
// once a commit has become visible. After a failed call the next one must
// ask on a new connection, since answers of two connections are not
// comparable (the cache starts a new epoch).
type Checker interface {
	Version(ctx context.Context) (string, error)
	Close() error
}

// EnableReadCache turns the read cache on. The store closes check.
func (db *DB) EnableReadCache(check Checker) {
	c := &readCache{check: check, failed: true} // epochs start at 1
	c.cond = sync.NewCond(&c.mu)
	db.cache = c
}

// CloseReadCache closes the read cache's connection, if there is one.
func (db *DB) CloseReadCache() error {
	if db.cache == nil {
		return nil
	}
	c := db.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true // no check begins after this
	for c.running { // a check runs outside the lock, on the checker
		c.cond.Wait()
	}
	return c.check.Close()
}

// SQLChecker is a Checker that runs query on a pool of its own (one
// connection is enough), prepared once per connection: parsing it took a
// fifth of the check's time.
func SQLChecker(pool *sql.DB, query string) Checker { return &sqlChecker{pool: pool, query: query} }

type sqlChecker struct {
	pool  *sql.DB
	query string
	conn  *sql.Conn // nil after a failure
	stmt  *sql.Stmt // query, prepared on conn
}

func (k *sqlChecker) Version(ctx context.Context) (string, error) {
	if k.conn == nil {
		conn, err := k.pool.Conn(ctx)
		if err != nil {
			return "", err
		}
		stmt, err := conn.PrepareContext(ctx, k.query)
		if err != nil {
			conn.Close()
			return "", err
		}
		k.conn, k.stmt = conn, stmt
	}
	var v string
	if err := k.stmt.QueryRowContext(ctx).Scan(&v); err != nil {
		k.stmt.Close()
		k.conn.Close()
		k.conn, k.stmt = nil, nil
		return "", err
	}
	return v, nil
}

func (k *sqlChecker) Close() error {
	if k.conn != nil {
		k.stmt.Close()
		k.conn.Close()
		k.conn, k.stmt = nil, nil
	}
	return k.pool.Close()
}

var errCacheClosed = errors.New("sqlstore: the read cache is closed")

// fresh returns the database's version as seen by a check that began after
// the call.
func (c *readCache) fresh(ctx context.Context) (version, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	want := c.started + 1
	for c.done < want {
		if c.closed {
			return version{}, errCacheClosed
		}
		if c.running {
			c.cond.Wait()
			continue
		}
		c.running = true
		c.started++
		seq := c.started
		if c.failed {
			c.epoch++
			c.failed = false
		}
		epoch := c.epoch
		c.mu.Unlock()
		// The check runs for every waiter, so it does not take the
		// context of the one that happens to run it; only one runs at a
		// time, so the checker needs no lock of its own.
		v, err := c.check.Version(context.WithoutCancel(ctx))
		c.mu.Lock()
		c.running = false
		c.failed = err != nil
		c.done, c.seen, c.seenErr = seq, version{epoch, v}, err
		c.cond.Broadcast()
	}
	return c.seen, c.seenErr
}

// freshFor is fresh, once per request: a version seen by a check that
// began after the request began serves every read of the request (see
// customer.ReadScope). A GET reads a token and a ledger, and each waited
// for a check of its own; under load the checks were a tenth of its CPU.
func (c *readCache) freshFor(ctx context.Context) (version, error) {
	scope := customer.ReadScopeOf(ctx)
	if scope != nil {
		if v, ok := scope.Load().(version); ok {
			return v, nil
		}
	}
	v, err := c.fresh(ctx)
	if err == nil && scope != nil {
		scope.Keep(v)
	}
	return v, err
}

// readThrough answers key from the map m picks when the entry is current,
// and otherwise reads it and keeps it. Without a cache it only reads.
func readThrough[T any](db *DB, ctx context.Context, m func(*readCache) *map[string]*T, key string, read func() (*T, error)) (*T, error) {
	if db.cache == nil {
		return read()
	}
	e, v, ok := cached(db, ctx, m, key)
	if e != nil {
		return e, nil
	}
	e, err := read()
	if err == nil && ok {
		store(db, m, key, e, v)
	}
	return e, err
}

// cached returns the entry of key in the map m picks, if it is current.
// On a miss it returns the version a fill may be stored under (ok false:
// do not store).
func cached[T any](db *DB, ctx context.Context, m func(*readCache) *map[string]*T, key string) (e *T, v version, ok bool) {
	c := db.cache
	v, err := c.freshFor(ctx)
	if err != nil {
		return nil, v, false
	}
	c.emu.RLock()
	defer c.emu.RUnlock()
	if c.ver == v {
		if e, hit := (*m(c))[key]; hit {
			cp := *e
			return &cp, v, true
		}
	}
	return nil, v, true
}

// store keeps e as key's entry for version v. The read that produced e
// began after the check that saw v, so e shows at least what v shows; it
// is served only after a later check sees v again, which means nothing
// became visible in between. A fill for another version than the cache's
// starts the cache over (versions have no order, and a fill for an old
// version only costs misses: it is never served once the database moved).
func store[T any](db *DB, m func(*readCache) *map[string]*T, key string, e *T, v version) {
	c := db.cache
	c.emu.Lock()
	defer c.emu.Unlock()
	if c.ver != v {
		c.ver, c.tokens, c.ledgers = v, nil, nil
	}
	mp := m(c)
	if *mp == nil || len(*mp) >= maxCached {
		*mp = map[string]*T{}
	}
	cp := *e
	(*mp)[key] = &cp
}

func (c *readCache) tokenMap() *map[string]*auth.Token       { return &c.tokens }
func (c *readCache) ledgerMap() *map[string]*customer.Ledger { return &c.ledgers }
