package register

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a lookup in the metrics: an answer about a person, no such
// person (an ambiguous phone number included: Kund answers it as not
// found), or no answer (the register is down, slow, or answered nonsense).
const (
	MetricFound    = "found"
	MetricNotFound = "not_found"
	MetricError    = "error"
)

// Instrumented is a Provider that counts the lookups of another by outcome
// and times them. Wrapped around a Cache it sees every lookup Kund makes,
// cached answers included; errors are never cached, so their count is the
// register's own.
type Instrumented struct {
	p       Provider
	lookups *prometheus.CounterVec
	latency prometheus.Histogram
}

// Instrument wraps p and registers its collectors on reg:
// kund_register_lookups_total{outcome} and
// kund_register_lookup_duration_seconds.
func Instrument(p Provider, reg prometheus.Registerer) *Instrumented {
	i := &Instrumented{
		p: p,
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kund_register_lookups_total", Help: "Population register lookups by outcome (found, not_found, error).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "kund_register_lookup_duration_seconds", Help: "Time to answer a population register lookup, retries included.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5},
		}),
	}
	// Every outcome is shown from the start, so that a rate of errors is
	// 0 rather than absent before the first one.
	for _, o := range []string{MetricFound, MetricNotFound, MetricError} {
		i.lookups.WithLabelValues(o)
	}
	reg.MustRegister(i.lookups, i.latency)
	return i
}

// Lookup asks the wrapped provider by identity number.
func (i *Instrumented) Lookup(ctx context.Context, country, regNo string) (*Person, error) {
	start := time.Now()
	p, err := i.p.Lookup(ctx, country, regNo)
	i.observe(start, err)
	return p, err
}

// LookupPhone asks the wrapped provider by phone number.
func (i *Instrumented) LookupPhone(ctx context.Context, phone string) (*Person, error) {
	start := time.Now()
	p, err := i.p.LookupPhone(ctx, phone)
	i.observe(start, err)
	return p, err
}

func (i *Instrumented) observe(start time.Time, err error) {
	i.latency.Observe(time.Since(start).Seconds())
	switch {
	case err == nil:
		i.lookups.WithLabelValues(MetricFound).Inc()
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrAmbiguous):
		i.lookups.WithLabelValues(MetricNotFound).Inc()
	default:
		i.lookups.WithLabelValues(MetricError).Inc()
	}
}
