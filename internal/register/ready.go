package register

import (
	"context"
	"net/http"
)

// ReadyCheck returns the readiness check of a provider: its own Ready
// when it has one (the HTTP provider, and a Cache or Instrumented around
// it), else a check that always passes (the file is in memory).
func ReadyCheck(p Provider) func(ctx context.Context) error {
	if r, ok := p.(interface{ Ready(context.Context) error }); ok {
		return r.Ready
	}
	return func(context.Context) error { return nil }
}

// Ready tells whether the register answers HTTP at all: one HEAD request
// to its lookup URL, bounded by the lookup timeout, without retries and
// without touching the circuit breaker. Any answer below 500 (405 is the
// usual one) means reachable; it asks about nobody, so nothing is logged.
func (h *HTTP) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, h.base+"/lookup", nil)
	if err != nil {
		return unavailable("%v", err)
	}
	res, err := h.o.Client.Do(req)
	if err != nil {
		return unavailable("the register cannot be reached")
	}
	res.Body.Close()
	if res.StatusCode >= 500 {
		return unavailable("the register answered %d", res.StatusCode)
	}
	return nil
}

// Ready is the readiness of the cached provider.
func (c *Cache) Ready(ctx context.Context) error { return ReadyCheck(c.p)(ctx) }

// Ready is the readiness of the instrumented provider.
func (i *Instrumented) Ready(ctx context.Context) error { return ReadyCheck(i.p)(ctx) }
