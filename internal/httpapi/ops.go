package httpapi

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kund/kund/api"
	"github.com/kund/kund/internal/customer"
)

// Operations endpoints, outside the API and its tokens:
//
//	/healthz  the process is up and serving (a liveness probe)
//	/readyz   every dependency answers (a readiness probe): 503 if one does not
//	/metrics  Prometheus metrics
//
// None of them shows personal data or a ledger's name.

// ReadyCheck tells whether one dependency can be used now.
type ReadyCheck func(ctx context.Context) error

// metrics are the Server's Prometheus collectors on its own registry, so
// that two Kunds in one process (tests) never share counters.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	// series are the counter and histogram of every route, method and
	// status answered so far, looked up once: the vectors hash and check
	// every label value on each lookup.
	mu     sync.RWMutex
	series map[seriesKey]series
}

type seriesKey struct {
	route, method string
	status        int
}

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newMetrics() *metrics {
	m := &metrics{
		reg:    prometheus.NewRegistry(),
		series: map[seriesKey]series{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kund_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kund_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// methodOther is the label of every method Kund serves nowhere: methods
// are tokens a client may make up, and each label value would be a series
// of its own.
const methodOther = "OTHER"

// methodLabel is the label of a request method in the metrics and the log:
// the method when Kund serves it, else OTHER.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return methodOther
}

// observe counts one answered request. Routes are patterns, never paths,
// so ledger and customer numbers stay out and the label set stays small.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	k := seriesKey{route, method, status}
	m.mu.RLock()
	s, ok := m.series[k]
	m.mu.RUnlock()
	if !ok {
		s = series{m.requests.WithLabelValues(route, method, strconv.Itoa(status)), m.latency.WithLabelValues(route, method)}
		m.mu.Lock()
		m.series[k] = s
		m.mu.Unlock()
	}
	s.requests.Inc()
	s.latency.Observe(d.Seconds())
}

// Registry is where other parts of Kund (the register client, the write
// batcher) register their collectors.
func (s *Server) Registry() *prometheus.Registry { return s.ops.metrics.reg }

// AddReadyCheck makes /readyz depend on a named dependency ("database",
// "register").
func (s *Server) AddReadyCheck(name string, check ReadyCheck) {
	s.ops.mu.Lock()
	defer s.ops.mu.Unlock()
	s.ops.checks = append(s.ops.checks, namedCheck{name, check})
}

// AddDBStats exports the statistics of a connection pool (open, in use,
// idle, waits) under a pool name.
func (s *Server) AddDBStats(pool string, db *sql.DB) {
	s.ops.metrics.reg.MustRegister(collectors.NewDBStatsCollector(db, pool))
}

// WriteBatchMetric registers the histogram of write batch sizes (how many
// write transactions shared one commit) and returns what observes it.
func (s *Server) WriteBatchMetric() func(size int) {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "kund_write_batch_size", Help: "Write transactions committed together by one commit (group commit).",
		Buckets: prometheus.ExponentialBuckets(1, 2, 9), // 1 to 256, the largest group
	})
	s.ops.metrics.reg.MustRegister(h)
	return func(size int) { h.Observe(float64(size)) }
}

type namedCheck struct {
	name  string
	check ReadyCheck
}

type opsState struct {
	metrics *metrics
	mu      sync.Mutex
	checks  []namedCheck
}

func (s *Server) opsRoutes() {
	s.ops = &opsState{metrics: newMetrics()}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("GET /openapi.json", s.openAPI)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.ops.metrics.reg, promhttp.HandlerOpts{}))
}

// openAPI serves the contract of the native API (api/openapi.yaml) as
// JSON, to anyone: it holds nothing of any ledger.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	b, err := api.JSON()
	if err != nil {
		s.writeError(w, r, customer.Errorf(customer.EINTERNAL, "%v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(b)
}

// readyz runs every check at once, each bounded by two seconds. What
// failed is named; why is logged, never shown.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	s.ops.mu.Lock()
	checks := append([]namedCheck(nil), s.ops.checks...)
	s.ops.mu.Unlock()
	results := make(map[string]string, len(checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			verdict := "ok"
			if err := c.check(ctx); err != nil {
				verdict = "unavailable"
				s.log.WarnContext(r.Context(), "not ready", "check", c.name, "request_id", requestID(w), "error", err.Error())
			}
			mu.Lock()
			results[c.name] = verdict
			mu.Unlock()
		}()
	}
	wg.Wait()
	status, code := "ready", http.StatusOK
	for _, v := range results {
		if v != "ok" {
			status, code = "unready", http.StatusServiceUnavailable
		}
	}
	writeJSON(w, code, struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}{status, results})
}
