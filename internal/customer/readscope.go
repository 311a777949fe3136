package customer

import (
	"context"
	"sync"
)

// ReadScope is what the reads of one request share. Every read of a
// request may show the data as of any moment after the request began, not
// only as of the moment of that read; so what a store learned once during
// the request about how current its cached data is (see the read cache of
// internal/sqlstore) holds for all the request's reads. Without a scope
// each read learns it anew.
type ReadScope struct {
	mu sync.Mutex
	v  any
}

type readScopeKey struct{}

// WithReadScope returns a context for one request, with a new ReadScope.
// Give it to a request when it begins, never later.
func WithReadScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, readScopeKey{}, &ReadScope{})
}

// ReadScopeOf returns the ReadScope of ctx, or nil.
func ReadScopeOf(ctx context.Context) *ReadScope {
	s, _ := ctx.Value(readScopeKey{}).(*ReadScope)
	return s
}

// Load returns what a store kept in the scope (nil: nothing yet).
func (s *ReadScope) Load() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v
}

// Keep keeps v for the rest of the request.
func (s *ReadScope) Keep(v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v = v
}
