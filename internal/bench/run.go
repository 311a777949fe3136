package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kund/kund/internal/app"
)

// Config is one `kund bench` run.
type Config struct {
	Exe         string        // the kund binary, started as `kund serve`
	DB          string        // database file
	KeyFile     string        // Kund's secret key; "" beside a SQLite file
	N           int           // prepared customers
	Reuse       bool          // skip preparing: the database has them already
	Duration    time.Duration // per scenario, per target, per round
	Rounds      int
	Concurrency int
	Scenarios   []string      // names; empty: all
	Warmup      time.Duration // unmeasured load before the first scenario
	Changes     int           // of the monitor scenario's feed
	Log         io.Writer
}

// Scenarios, in the order they run.
var Scenarios = []string{"get", "get-expand", "find", "create", "patch", "mixed", "webhooks"}

// Monitor is the scenario of register monitoring, run only when named: it
// changes customers of the bench ledger for good (docs/performance.md).
const Monitor = "monitor"

// Stats are the figures of one scenario against one target.
type Stats struct {
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	PerSecond float64 `json:"requestsPerSecond"`
	P50       float64 `json:"p50Ms"`
	P90       float64 `json:"p90Ms"`
	P99       float64 `json:"p99Ms"`
	Max       float64 `json:"maxMs"`
}

// ScenarioResult compares Kund with the bare server on one scenario.
type ScenarioResult struct {
	Name  string  `json:"name"`
	Kund  Stats   `json:"kund"`
	Bare  Stats   `json:"bare"`
	Ratio float64 `json:"ratioToBare"`
	// MeanWriteBatch is how many writes one commit carried on average
	// (group commit; 0 where Kund reports none).
	MeanWriteBatch float64 `json:"meanWriteBatch,omitempty"`
	// KundCPU is the CPU time (user and system) the Kund process spent
	// per answered request, in microseconds. Unlike requests/s it hardly
	// depends on what else the machine runs, so it is the figure to
	// compare builds by.
	KundCPU float64 `json:"kundCPUMicrosPerRequest,omitempty"`
	// Webhooks are the deliveries of the webhooks scenario, which has no
	// bare counterpart.
	Webhooks *WebhookStats `json:"webhooks,omitempty"`
}

// Report is everything a run measured.
type Report struct {
	Started     time.Time        `json:"started"`
	GoVersion   string           `json:"goVersion"`
	CPUs        int              `json:"cpus"`
	Database    string           `json:"database"`
	Customers   int              `json:"customers"`
	Concurrency int              `json:"concurrency"`
	Duration    string           `json:"durationPerRound"`
	Rounds      int              `json:"rounds"`
	Import      *ImportResult    `json:"import,omitempty"`
	Scenarios   []ScenarioResult `json:"scenarios"`
	PeakRSS     int64            `json:"serverPeakRSSBytes"`
	Monitor     *MonitorStats    `json:"monitor,omitempty"`
}

// Run prepares, serves, measures and returns the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Concurrency < 1 || cfg.Rounds < 1 || cfg.Duration <= 0 || cfg.N < 1 {
		return nil, errors.New("bench: concurrency, rounds, duration and N must be positive")
	}
	if len(cfg.Scenarios) == 0 {
		cfg.Scenarios = Scenarios
	}
	for _, s := range cfg.Scenarios {
		if !slices.Contains(Scenarios, s) && s != Monitor {
			return nil, fmt.Errorf("bench: unknown scenario %q (have %s, %s)", s, strings.Join(Scenarios, ", "), Monitor)
		}
	}
	engine := "sqlite"
	if app.IsPostgres(cfg.DB) {
		engine = "postgres"
	}
	rep := &Report{Started: time.Now().UTC(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), Database: engine, Customers: cfg.N,
		Concurrency: cfg.Concurrency, Duration: cfg.Duration.String(), Rounds: cfg.Rounds}
	if !cfg.Reuse {
		fmt.Fprintf(cfg.Log, "kund bench: preparing %d customers in %s through the import path\n", cfg.N, cfg.DB)
	}
	imp, tok, err := Prepare(ctx, cfg.DB, cfg.KeyFile, cfg.N, cfg.Log, cfg.Reuse)
	if err != nil {
		return nil, err
	}
	if !cfg.Reuse {
		rep.Import = &imp
		fmt.Fprintf(cfg.Log, "kund bench: %d rows in %.1f s (%.0f rows/s; %d imported, %d already present)\n",
			imp.Rows, imp.Seconds, imp.RowsPerSec, imp.Imported, imp.Existing)
	}
	if slices.Contains(cfg.Scenarios, Monitor) {
		if rep.Monitor, err = RunMonitor(ctx, cfg.DB, cfg.KeyFile, cfg.N, cfg.Changes, cfg.Log); err != nil {
			return nil, err
		}
		cfg.Scenarios = slices.DeleteFunc(slices.Clone(cfg.Scenarios), func(s string) bool { return s == Monitor })
		if len(cfg.Scenarios) == 0 {
			return rep, nil
		}
	}

	srv, err := startKund(ctx, cfg.Exe, cfg.DB, cfg.KeyFile, slices.Contains(cfg.Scenarios, "webhooks"))
	if err != nil {
		return nil, err
	}
	defer srv.stop()

	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: cfg.Concurrency * 2, MaxIdleConnsPerHost: cfg.Concurrency * 2, MaxConnsPerHost: cfg.Concurrency,
		DisableCompression: true, IdleConnTimeout: time.Minute,
	}, Timeout: 30 * time.Second}

	// The bare server answers what Kund answers for a customer, so both
	// move the same number of bytes.
	kundURL := "http://" + srv.addr + "/ledger/customer/v1/" + Ledger
	body, err := fetch(client, tok, kundURL+"/customers/"+CustomerNo(0)+"?$expand=legaladdress,billingaddress")
	if err != nil {
		return nil, fmt.Errorf("bench: Kund does not answer: %w", err)
	}
	bare, bareAddr, err := startBare(body)
	if err != nil {
		return nil, err
	}
	defer bare.Close()
	bareURL := "http://" + bareAddr + "/ledger/customer/v1/" + Ledger

	var seq atomic.Int64
	seq.Store(time.Now().Unix() % 100_000 * 1_000_000)
	// Both servers first serve a read load unmeasured, so that the first
	// scenario does not pay for filling Kund's page caches (or the
	// connections of either).
	if cfg.Warmup > 0 {
		warm := cfg
		warm.Duration = cfg.Warmup
		drive(ctx, client, tok, kundURL, "get", warm, &seq)
		drive(ctx, client, tok, bareURL, "get", warm, &seq)
	}
	for _, name := range cfg.Scenarios {
		if name == "webhooks" {
			cpu0 := cpuTime(srv.cmd.Process.Pid)
			st, wh, err := runWebhooks(ctx, client, tok, kundURL, cfg, &seq)
			if err != nil {
				return nil, err
			}
			r := ScenarioResult{Name: name, Kund: st, Webhooks: wh}
			if ok := st.Requests - st.Errors; ok > 0 {
				r.KundCPU = float64((cpuTime(srv.cmd.Process.Pid) - cpu0).Microseconds()) / float64(ok)
			}
			rep.Scenarios = append(rep.Scenarios, r)
			fmt.Fprintf(cfg.Log, "kund bench: webhooks done (%.0f creates/s, %.0f deliveries/s, p99 %.0f ms from commit to delivery)\n",
				st.PerSecond, wh.PerSecond, wh.P99)
			continue
		}
		var k, b []sample
		var cpu time.Duration
		writes0, batches0 := writeBatches(client, "http://"+srv.addr)
		for round := 0; round < cfg.Rounds; round++ {
			cpu0 := cpuTime(srv.cmd.Process.Pid)
			k = append(k, drive(ctx, client, tok, kundURL, name, cfg, &seq)...)
			cpu += cpuTime(srv.cmd.Process.Pid) - cpu0
			b = append(b, drive(ctx, client, tok, bareURL, name, cfg, &seq)...)
		}
		writes1, batches1 := writeBatches(client, "http://"+srv.addr)
		total := time.Duration(cfg.Rounds) * cfg.Duration
		r := ScenarioResult{Name: name, Kund: summarise(k, total), Bare: summarise(b, total)}
		if r.Bare.PerSecond > 0 {
			r.Ratio = r.Kund.PerSecond / r.Bare.PerSecond
		}
		if batches1 > batches0 {
			r.MeanWriteBatch = (writes1 - writes0) / (batches1 - batches0)
		}
		if ok := r.Kund.Requests - r.Kund.Errors; ok > 0 && cpu > 0 {
			r.KundCPU = float64(cpu.Microseconds()) / float64(ok)
		}
		rep.Scenarios = append(rep.Scenarios, r)
		fmt.Fprintf(cfg.Log, "kund bench: %s done (%.0f req/s, %.2f of bare)\n", name, r.Kund.PerSecond, r.Ratio)
	}
	rep.PeakRSS = peakRSS(srv.cmd.Process.Pid)
	return rep, nil
}

type sample struct {
	d  time.Duration
	ok bool
}

// request builds the request of a scenario; rnd picks the customer.
func request(name, base, tok string, rnd *rand.Rand, n int, seq *atomic.Int64) (*http.Request, int) {
	var (
		method = "GET"
		path   string
		body   []byte
		ctype  = "application/json"
		want   = http.StatusOK
	)
	i := rnd.IntN(n)
	if name == "mixed" {
		name = "get"
		if rnd.IntN(10) == 0 {
			name = "patch"
		}
	}
	switch name {
	case "get":
		path = "/customers/" + CustomerNo(i)
	case "get-expand":
		path = "/customers/" + CustomerNo(i) + "?$expand=legaladdress,billingaddress"
	case "find":
		method, path = "POST", "/find-customer"
		body = []byte(`{"nationalIdentifier":{"regNo":"` + PersonalNo(i) + `","countryCode":"SE"}}`)
	case "create":
		method, path, want = "POST", "/customers", http.StatusCreated
		no := strconv.FormatInt(500_000_000_000_000+seq.Add(1), 10)
		body = []byte(`{"customerNo":"` + no + `","name":"Bench Create","emailAddress":"bench@example.se",` +
			`"legalAddress":{"addressee":"Bench Create","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`)
	case "patch":
		method, path = "PATCH", "/customers/"+CustomerNo(i)
		ctype = "application/merge-patch+json"
		body = []byte(`{"emailAddress":"p` + strconv.Itoa(rnd.IntN(1000)) + `@example.se"}`)
	}
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	return req, want
}

// drive runs one scenario against one target for cfg.Duration with
// cfg.Concurrency workers, each waiting for its answer before the next.
func drive(ctx context.Context, client *http.Client, tok, base, name string, cfg Config, seq *atomic.Int64) []sample {
	deadline := time.Now().Add(cfg.Duration)
	var mu sync.Mutex
	var all []sample
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			var mine []sample
			for time.Now().Before(deadline) && ctx.Err() == nil {
				req, want := request(name, base, tok, rnd, cfg.N, seq)
				start := time.Now()
				res, err := client.Do(req)
				ok := err == nil
				if ok {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					ok = err == nil && (res.StatusCode == want || isBare(base) && res.StatusCode == http.StatusOK)
				}
				mine = append(mine, sample{time.Since(start), ok})
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	return all
}

var bareHosts sync.Map

func isBare(base string) bool {
	_, ok := bareHosts.Load(strings.SplitN(strings.TrimPrefix(base, "http://"), "/", 2)[0])
	return ok
}

func summarise(s []sample, total time.Duration) Stats {
	st := Stats{Requests: len(s)}
	ds := make([]time.Duration, 0, len(s))
	for _, x := range s {
		if !x.ok {
			st.Errors++
		}
		ds = append(ds, x.d)
	}
	if len(ds) == 0 {
		return st
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(q float64) float64 { return ms(ds[min(len(ds)-1, int(q*float64(len(ds))))]) }
	st.PerSecond = float64(len(s)-st.Errors) / total.Seconds()
	st.P50, st.P90, st.P99, st.Max = at(0.50), at(0.90), at(0.99), ms(ds[len(ds)-1])
	return st
}

func fetch(client *http.Client, tok, url string) ([]byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s: %s", url, res.Status, b)
	}
	return b, err
}

// startBare starts the bare server: net/http answering body to every
// request (after reading the request's own body, as Kund must).
func startBare(body []byte) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go s.Serve(ln)
	bareHosts.Store(ln.Addr().String(), true)
	return s, ln.Addr().String(), nil
}

type server struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

// startKund runs `kund serve` on a free port of 127.0.0.1 and waits for
// it to say where it listens.
func startKund(ctx context.Context, exe, db, keyFile string, webhooks bool) (*server, error) {
	// The rate limits are off: the bench measures what Kund can serve,
	// not what one token is allowed. The lookup limits are set by
	// variables, which a build from before them ignores (--kund).
	args := []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--rate-limit", "0"}
	if webhooks {
		args = append(args, "--webhooks-allow-insecure") // the receiver is on 127.0.0.1
	}
	cmd := exec.Command(exe, args...)
	// The server gets its own profile file, if one is asked for
	// (KUND_BENCH_SERVER_PROFILE), never the bench's.
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "KUND_CPUPROFILE=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, "KUND_LOOKUP_RATE=0", "KUND_LEDGER_LOOKUP_RATE=0")
	if keyFile != "" {
		cmd.Env = append(cmd.Env, "KUND_SECRET_KEY_FILE="+keyFile)
	}
	if p := os.Getenv("KUND_BENCH_SERVER_PROFILE"); p != "" {
		cmd.Env = append(cmd.Env, "KUND_CPUPROFILE="+p)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var m struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Msg == "kund listening" {
				addr <- m.Addr
				break
			}
		}
		// The request log is not needed; it is drained without parsing so
		// the bench costs the server as little as possible.
		io.Copy(io.Discard, stderr)
	}()
	select {
	case s.addr = <-addr:
		return s, nil
	case <-s.done:
		cmd.Wait()
		return nil, errors.New("bench: kund serve exited before listening")
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, errors.New("bench: kund serve did not start within 30 s")
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(35 * time.Second):
		s.cmd.Process.Kill()
	}
	s.cmd.Wait()
}

// writeBatches reads the sum and count of kund_write_batch_size from
// Kund's /metrics (zeros when it has none).
func writeBatches(client *http.Client, base string) (writes, batches float64) {
	res, err := client.Get(base + "/metrics")
	if err != nil {
		return 0, 0
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 {
			switch f[0] {
			case "kund_write_batch_size_sum":
				writes, _ = strconv.ParseFloat(f[1], 64)
			case "kund_write_batch_size_count":
				batches, _ = strconv.ParseFloat(f[1], 64)
			}
		}
	}
	return writes, batches
}

// cpuTime is the user and system CPU time the process has used so far
// (/proc/PID/stat, in clock ticks of 10 ms: USER_HZ is 100 on Linux), 0
// where unknown.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces; the fields
	// after it are numbered from 3 (state), utime and stime are 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// peakRSS is the process's peak resident set (VmHWM), 0 where unknown.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Print writes the report as a table.
func Print(w io.Writer, r *Report) {
	if r.Import != nil {
		fmt.Fprintf(w, "import: %d rows in %.2f s = %.0f rows/s\n", r.Import.Rows, r.Import.Seconds, r.Import.RowsPerSec)
	}
	if m := r.Monitor; m != nil {
		fmt.Fprintf(w, "monitor: %d register changes applied to a ledger of %d customers in %.2f s = %.0f changes/s, %d events (making them the register's first: %.2f s)\n",
			m.Changes, m.Customers, m.Seconds, m.ChangesPerSecond, m.Events, m.AdoptSeconds)
		if len(r.Scenarios) == 0 {
			return
		}
	}
	fmt.Fprintf(w, "%s, %d customers, concurrency %d, %d rounds x %s per target, %d CPUs, %s\n",
		r.Database, r.Customers, r.Concurrency, r.Rounds, r.Duration, r.CPUs, r.GoVersion)
	fmt.Fprintf(w, "%-11s %-5s %10s %8s %8s %8s %8s %7s %6s %9s\n", "scenario", "", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "ratio", "cpu µs/r")
	for _, s := range r.Scenarios {
		fmt.Fprintf(w, "%-11s %-5s %10.0f %8.2f %8.2f %8.2f %8.2f %7d %6.2f %9.0f\n", s.Name, "kund", s.Kund.PerSecond, s.Kund.P50, s.Kund.P90, s.Kund.P99, s.Kund.Max, s.Kund.Errors, s.Ratio, s.KundCPU)
		if s.Webhooks != nil {
			continue
		}
		fmt.Fprintf(w, "%-11s %-5s %10.0f %8.2f %8.2f %8.2f %8.2f %7d\n", "", "bare", s.Bare.PerSecond, s.Bare.P50, s.Bare.P90, s.Bare.P99, s.Bare.Max, s.Bare.Errors)
	}
	for _, s := range r.Scenarios {
		if wh := s.Webhooks; wh != nil {
			fmt.Fprintf(w, "webhooks: %d of %d acknowledged creates delivered (%d twice), %.0f/s; commit to delivery p50 %.1f ms, p99 %.1f ms, max %.1f ms; last delivery %.0f ms after the last create\n",
				wh.Delivered, wh.Acknowledged, wh.Duplicates, wh.PerSecond, wh.P50, wh.P99, wh.Max, wh.Drain)
		}
		if s.MeanWriteBatch > 0 {
			fmt.Fprintf(w, "%s: %.1f writes per commit on average\n", s.Name, s.MeanWriteBatch)
		}
	}
	fmt.Fprintf(w, "server peak RSS: %.1f MB\n", float64(r.PeakRSS)/(1<<20))
}
