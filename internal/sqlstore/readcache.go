package sqlstore

import (
	"context"
	"database/sql"
	"sync"

	"github.com/kund/kund/internal/auth"
	"github.com/kund/kund/internal/customer"
)

// The read cache keeps what nearly every request reads besides its own
// data: the token that authenticates it and the ledger it addresses. Both
// were a query each per request (a third of the CPU of a GET, profile in
// docs/performance.md).
//
// It can never serve stale data. An engine that can tell cheaply whether
// anything was committed (SQLite's PRAGMA data_version, which changes when
// any other connection, of this process or another, commits) answers that
// question before each request reads the cache: a request waits for a
// check that *started after it arrived*, and an entry is used only if it
// was read under the version that check saw. Concurrent requests share
// one check (the same idea as group commit, for reads). Any commit
// anywhere, a token revoked by `kund token revoke` in another process
// included, empties the cache for the next request. Engines without such a
// check (PostgreSQL) have no cache.

// maxCached bounds each map; when one is full it is emptied (tokens and
// ledgers are few, so this only guards against a flood of distinct ids).
const maxCached = 10000

type readCache struct {
	check *sql.Stmt

	// The freshness barrier.
	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	started uint64 // sequence number of the last check begun
	done    uint64 // sequence number of the last check finished
	seen    int64  // the version that check saw
	seenErr error

	// The entries, valid for version only.
	emu     sync.RWMutex
	version int64
	tokens  map[string]*auth.Token
	ledgers map[string]*customer.Ledger
}

// EnableReadCache turns the read cache on. query must return one integer
// that grows whenever another connection commits; conn is a connection of
// its own that no transaction ever holds. Versions are only comparable on
// one connection: if conn breaks, every check fails and the cache is
// simply not used any more.
func (db *DB) EnableReadCache(ctx context.Context, conn *sql.Conn, query string) error {
	s, err := conn.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	c := &readCache{check: s, version: -1}
	c.cond = sync.NewCond(&c.mu)
	db.cache = c
	return nil
}

// fresh returns the database's version as seen by a check that began after
// the call.
func (c *readCache) fresh(ctx context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	want := c.started + 1
	for c.done < want {
		if c.running {
			c.cond.Wait()
			continue
		}
		c.running = true
		c.started++
		seq := c.started
		c.mu.Unlock()
		var v int64
		// The check runs for every waiter, so it does not take the
		// context of the one that happens to run it.
		err := c.check.QueryRowContext(context.WithoutCancel(ctx)).Scan(&v)
		c.mu.Lock()
		c.running = false
		c.done, c.seen, c.seenErr = seq, v, err
		c.cond.Broadcast()
	}
	return c.seen, c.seenErr
}

// cached returns the entry of key in the map m picks, if it is current.
// On a miss it returns the version a fill must be stored under (-1: do not
// store).
func cached[T any](db *DB, ctx context.Context, m func(*readCache) map[string]*T, key string) (*T, int64) {
	c := db.cache
	v, err := c.fresh(ctx)
	if err != nil {
		return nil, -1
	}
	c.emu.RLock()
	defer c.emu.RUnlock()
	if c.version == v {
		if e, ok := m(c)[key]; ok {
			cp := *e
			return &cp, v
		}
	}
	return nil, v
}

// store keeps e as key's entry for version v. The read that produced e
// began after the check that saw v, so e is at least as new as v; if the
// cache has moved on to a later version meanwhile, e is not kept.
func store[T any](db *DB, m func(*readCache) *map[string]*T, key string, e *T, v int64) {
	c := db.cache
	if v < 0 {
		return
	}
	c.emu.Lock()
	defer c.emu.Unlock()
	if c.version != v {
		if v < c.version {
			return
		}
		c.version, c.tokens, c.ledgers = v, nil, nil
	}
	mp := m(c)
	if *mp == nil || len(*mp) >= maxCached {
		*mp = map[string]*T{}
	}
	cp := *e
	(*mp)[key] = &cp
}

func (c *readCache) tokenMap() map[string]*auth.Token        { return c.tokens }
func (c *readCache) tokenPtr() *map[string]*auth.Token       { return &c.tokens }
func (c *readCache) ledgerMap() map[string]*customer.Ledger  { return c.ledgers }
func (c *readCache) ledgerPtr() *map[string]*customer.Ledger { return &c.ledgers }
