package register

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Cache keeps a Provider's answers (persons found and persons not found)
// for a TTL, so that a burst of lookups of one person asks the register
// once. A register that could not answer is never cached. Every lookup is
// still logged by Service: the cache saves the register work, it does not
// hide a disclosure.
type Cache struct {
	p   Provider
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	p   *Person // nil: not found
	err error   // ErrNotFound or ErrAmbiguous when p is nil
	at  time.Time
}

// NewCache wraps p with a cache of at most max entries (default 100,000);
// now is the clock (default time.Now).
func NewCache(p Provider, ttl time.Duration, max int, now func() time.Time) *Cache {
	if max <= 0 {
		max = 100_000
	}
	if now == nil {
		now = time.Now
	}
	return &Cache{p: p, ttl: ttl, max: max, now: now, entries: map[string]cacheEntry{}}
}

// Forget drops the answers about a person (one erased, or whom the
// register reports changed): the identity number (country and regNo;
// ignored when empty) and the phone number (ignored when empty).
func (c *Cache) Forget(country, regNo, phone string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if regNo != "" {
		delete(c.entries, "id "+country+" "+regNo)
	}
	if phone != "" {
		delete(c.entries, "phone "+phone)
	}
}

// Lookup answers from the cache or asks the provider.
func (c *Cache) Lookup(ctx context.Context, country, regNo string) (*Person, error) {
	return c.get("id "+country+" "+regNo, func() (*Person, error) { return c.p.Lookup(ctx, country, regNo) })
}

// LookupPhone answers from the cache or asks the provider.
func (c *Cache) LookupPhone(ctx context.Context, phone string) (*Person, error) {
	return c.get("phone "+phone, func() (*Person, error) { return c.p.LookupPhone(ctx, phone) })
}

func (c *Cache) get(key string, ask func() (*Person, error)) (*Person, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.answer()
	}
	p, err := ask()
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrAmbiguous) {
		return nil, err
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	e = cacheEntry{err: err, at: now}
	if p != nil {
		cp := *p
		e.p = &cp
	}
	c.entries[key] = e
	c.mu.Unlock()
	return e.answer()
}

func (e cacheEntry) answer() (*Person, error) {
	if e.p == nil {
		return nil, e.err
	}
	cp := *e.p
	return &cp, nil
}

// evict drops expired entries, and everything when that is not enough: a
// full cache of live entries is rare and refilling it is only register work.
func (c *Cache) evict(now time.Time) {
	for k, e := range c.entries {
		if now.Sub(e.at) >= c.ttl {
			delete(c.entries, k)
		}
	}
	if len(c.entries) >= c.max {
		c.entries = map[string]cacheEntry{}
	}
}
