package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/events"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/postgres"
)

// `kund crashtest` proves that Kund keeps every write it acknowledged. It
// runs `kund serve` as a child process on one SQLite file (or a scratch
// PostgreSQL database), puts a writer load of creates and If-Match PATCHes
// on it, kills it with SIGKILL at a random moment, restarts it, and so on
// for a number of rounds; then it checks that every answered write is
// there exactly as answered and that the database is sound: SQLite's
// integrity_check is "ok", or on PostgreSQL every B-tree index agrees with
// its table (amcheck). A write whose answer was lost in the kill may or may
// not be there: both are correct, anything else is not.
//
// A webhook of the ledger, to a receiver the crash test runs itself,
// follows the writes through every kill: at the end each acknowledged
// write's event must have reached it at least once (docs/reliability.md).

type crashConfig struct {
	Rounds  int
	Seconds float64 // longest time a round runs before the kill
	Workers int
	Dir     string
	DB      string // a postgres:// URL; empty: SQLite under Dir
	Kund    string // the binary to run; default this one
	KeyFile string // Kund's secret key for DB
}

// expected is what the clients know of one customer.
type expected struct {
	no        string
	acked     bool   // its create was answered 201
	value     string // taxIdentificationNumber as last answered
	version   int64  // version as last answered
	pending   string // the value of a PATCH whose answer was lost ("" none)
	uncertain bool   // the create's answer was lost
	// values are the values of its acknowledged PATCHes, whose events the
	// webhook must get.
	values []string
}

// crashReceiver is the webhook receiver of the crash test: it keeps what
// events it got, as "customerNo type value", and answers after a moment,
// so that deliveries are in flight when Kund is killed.
type crashReceiver struct {
	mu       sync.Mutex
	got      map[string]bool
	received int
	url      string
}

func startCrashReceiver() (*crashReceiver, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	rc := &crashReceiver{got: map[string]bool{}, url: "http://" + ln.Addr().String() + "/events"}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Type       string `json:"type"`
			CustomerNo string `json:"customerNo"`
			Data       struct {
				Object struct {
					TaxIdentificationNumber string `json:"taxIdentificationNumber"`
				} `json:"object"`
			} `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
		rc.mu.Lock()
		rc.got[ev.CustomerNo+" "+ev.Type+" "+ev.Data.Object.TaxIdentificationNumber] = true
		rc.received++
		rc.mu.Unlock()
	})}
	go srv.Serve(ln)
	return rc, func() { srv.Close() }, nil
}

// missing are the events of acknowledged writes the receiver has not got.
func (rc *crashReceiver) missing(all []*expected) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, c := range all {
		if !c.acked {
			continue
		}
		if k := c.no + " " + customer.EventCustomerCreated + " V0"; !rc.got[k] {
			out = append(out, k)
		}
		for _, v := range c.values {
			if k := c.no + " " + customer.EventCustomerUpdated + " " + v; !rc.got[k] {
				out = append(out, k)
			}
		}
	}
	return out
}

type crashReport struct {
	Rounds, Requests, Acked, Lost int
	Sound                         string // what the database check found
	// Events is how many events of acknowledged writes the webhook got
	// (each at least once), Deliveries how many deliveries in all.
	Events, Deliveries int
}

func runCrashTest(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("crashtest", flag.ContinueOnError)
	var cfg crashConfig
	fs.IntVar(&cfg.Rounds, "rounds", 10, "kill -9 rounds")
	fs.Float64Var(&cfg.Seconds, "seconds", 3, "longest run of a round before the kill, in seconds")
	fs.IntVar(&cfg.Workers, "workers", 8, "concurrent writers")
	fs.StringVar(&cfg.Dir, "dir", "", "directory for the database (default: a new temporary one, removed afterwards)")
	fs.StringVar(&cfg.Kund, "kund", "", "`PATH` of the kund binary to crash (default: this one)")
	fs.StringVar(&cfg.DB, "db", "", "a scratch PostgreSQL database (postgres://...) to crash instead of a SQLite file; only from the command line, never from KUND_DB, which names the database of a real Kund")
	fs.StringVar(&cfg.KeyFile, "secret-key-file", "", "Kund's secret key for --db (default: a new one in --dir)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	// Only a --db on the command line counts: KUND_DB names the database of
	// a real Kund, which must never be crash-tested by accident.
	onCommandLine := false
	fs.Visit(func(f *flag.Flag) { onCommandLine = onCommandLine || f.Name == "db" })
	if !onCommandLine {
		cfg.DB = ""
	}
	if cfg.DB != "" && !app.IsPostgres(cfg.DB) {
		return fmt.Errorf("%w: --db must be a postgres:// URL; SQLite is crashed in --dir", errUsage)
	}
	if cfg.Rounds < 1 || cfg.Workers < 1 || cfg.Seconds <= 0 {
		return fmt.Errorf("%w: --rounds, --workers and --seconds must be positive", errUsage)
	}
	rep, err := crashTest(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "crashtest ok: %d rounds survived, %d requests, %d writes acknowledged and all present, %d answers lost in kills; %s; "+
		"the webhook got all %d events of acknowledged writes (%d deliveries)\n",
		rep.Rounds, rep.Requests, rep.Acked, rep.Lost, rep.Sound, rep.Events, rep.Deliveries)
	return nil
}

func crashTest(ctx context.Context, cfg crashConfig, log io.Writer) (*crashReport, error) {
	if cfg.Kund == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		cfg.Kund = exe
	}
	if cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "kund-crash-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cfg.Dir = dir
	}
	dbPath := filepath.Join(cfg.Dir, "crash.db")
	if cfg.DB != "" {
		dbPath = cfg.DB
		if cfg.KeyFile == "" {
			cfg.KeyFile = filepath.Join(cfg.Dir, "crash.key")
			if _, _, err := keyring.LoadOrCreate(cfg.KeyFile); err != nil {
				return nil, err
			}
		}
	}
	// A ledger of its own per run, so that a database can be crashed again.
	ledger := "CRASH-" + strconv.FormatInt(time.Now().UnixMilli(), 36)
	rc, stopReceiver, err := startCrashReceiver()
	if err != nil {
		return nil, err
	}
	defer stopReceiver()
	token, err := crashSetup(ctx, dbPath, cfg.KeyFile, ledger, rc.url)
	if err != nil {
		return nil, err
	}
	rep := &crashReport{}
	var (
		mu   sync.Mutex
		all  []*expected
		next int64 = 100000
	)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers}}
	for round := 1; round <= cfg.Rounds; round++ {
		srv, err := startKund(ctx, cfg.Kund, dbPath, cfg.KeyFile)
		if err != nil {
			return rep, fmt.Errorf("round %d: %w", round, err)
		}
		base := "http://" + srv.addr + "/ledger/customer/v1/" + ledger + "/customers"
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < cfg.Workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []*expected
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					rep.Requests++
					mu.Unlock()
					// Two PATCHes for every create, on this writer's own
					// customers whose state is known.
					var c *expected
					if len(mine) > 0 && rand.IntN(3) > 0 {
						c = mine[rand.IntN(len(mine))]
					}
					if c == nil {
						mu.Lock()
						next++
						c = &expected{no: strconv.FormatInt(next, 10), value: "V0"}
						all = append(all, c)
						mu.Unlock()
						body := `{"customerNo":"` + c.no + `","name":"Crash","taxIdentificationNumber":"V0","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
						status, _, err := crashDo(client, "POST", base, token, "", body)
						mu.Lock()
						switch {
						case err != nil:
							c.uncertain = true
							rep.Lost++
						case status == http.StatusCreated:
							c.acked, c.version = true, 1
							rep.Acked++
							mine = append(mine, c)
						default:
							c.uncertain = true
						}
						mu.Unlock()
						if err != nil {
							return
						}
						continue
					}
					value := "V" + strconv.Itoa(rand.IntN(1_000_000))
					if value == c.value {
						continue // no change, no event
					}
					status, etag, err := crashDo(client, "PATCH", base+"/"+c.no, token, `"`+strconv.FormatInt(c.version, 10)+`"`,
						`{"taxIdentificationNumber":"`+value+`"}`)
					mu.Lock()
					switch {
					case err != nil:
						c.pending = value
						rep.Lost++
					case status == http.StatusOK:
						c.value = value
						c.values = append(c.values, value)
						c.version, _ = strconv.ParseInt(strings.Trim(etag, `"`), 10, 64)
						rep.Acked++
					}
					mu.Unlock()
					if err != nil {
						// The answer is lost (Kund is gone): this writer
						// stops; the customer is checked as pending.
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration((0.1 + rand.Float64()*0.9) * cfg.Seconds * float64(time.Second)))
		srv.kill() // SIGKILL: no shutdown, no final fsync
		close(stop)
		wg.Wait()
		client.CloseIdleConnections()
		rep.Rounds = round
		fmt.Fprintf(log, "round %d: killed after %d requests in all\n", round, rep.Requests)
	}
	srv, err := startKund(ctx, cfg.Kund, dbPath, cfg.KeyFile)
	if err != nil {
		return rep, fmt.Errorf("restart after the last kill: %w", err)
	}
	defer srv.kill()
	base := "http://" + srv.addr + "/ledger/customer/v1/" + ledger + "/customers"
	var problems []string
	for _, c := range all {
		status, etag, body, err := crashGet(client, base+"/"+c.no, token)
		if err != nil {
			return rep, err
		}
		switch {
		case status == http.StatusNotFound && (c.uncertain || !c.acked):
		case status != http.StatusOK:
			problems = append(problems, fmt.Sprintf("customer %s: acknowledged, now %d", c.no, status))
		case !c.acked && !c.uncertain:
			problems = append(problems, fmt.Sprintf("customer %s: refused, yet there", c.no))
		case c.acked:
			got := body["taxIdentificationNumber"]
			v, _ := strconv.ParseInt(strings.Trim(etag, `"`), 10, 64)
			okNow := got == c.value && v == c.version
			okPending := c.pending != "" && got == c.pending && v == c.version+1
			if !okNow && !okPending {
				problems = append(problems, fmt.Sprintf("customer %s: answered %s at version %d, now %v at %d", c.no, c.value, c.version, got, v))
			}
		}
	}
	if len(problems) > 0 {
		return rep, fmt.Errorf("acknowledged writes were lost or changed:\n%s", strings.Join(problems, "\n"))
	}
	// Every acknowledged write's event reaches the webhook, however the
	// kills cut its deliveries: what was claimed when Kund died is sent
	// again after the restart (at once on SQLite, when the claim runs out
	// on PostgreSQL, where other Kunds may hold claims).
	deadline := time.Now().Add(60 * time.Second)
	missing := rc.missing(all)
	for len(missing) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		missing = rc.missing(all)
	}
	if len(missing) > 0 {
		return rep, fmt.Errorf("%d events of acknowledged writes never reached the webhook, such as %q", len(missing), missing[0])
	}
	rc.mu.Lock()
	rep.Events, rep.Deliveries = rep.Acked, rc.received
	rc.mu.Unlock()
	srv.kill()
	store, err := app.OpenStore(ctx, dbPath, cfg.KeyFile)
	if err != nil {
		return rep, err
	}
	defer store.Close()
	switch checker := store.(type) {
	case interface {
		IntegrityCheck(context.Context) (string, error)
	}:
		verdict, err := checker.IntegrityCheck(ctx)
		if err != nil {
			return rep, err
		}
		if verdict != "ok" {
			return rep, fmt.Errorf("integrity_check: %s", verdict)
		}
		rep.Sound = "integrity_check ok"
	case interface {
		CheckIndexes(context.Context) (int, error)
	}:
		n, err := checker.CheckIndexes(ctx)
		switch {
		case errors.Is(err, postgres.ErrNoAmcheck):
			rep.Sound = "index check skipped: " + err.Error()
		case err != nil:
			return rep, fmt.Errorf("amcheck: %w", err)
		default:
			rep.Sound = fmt.Sprintf("amcheck: %d B-tree indexes agree with their tables", n)
		}
	default:
		return rep, errors.New("the store has no integrity check")
	}
	return rep, nil
}

func crashSetup(ctx context.Context, dbPath, keyFile, ledger, receiver string) (string, error) {
	store, err := app.OpenStore(ctx, dbPath, keyFile)
	if err != nil {
		return "", err
	}
	defer store.Close()
	k := app.New(store, app.Config{})
	if err := k.Service.CreateLedger(ctx, &customer.Ledger{No: ledger, Country: "SE", CustomerNumbers: customer.NumbersClient}); err != nil {
		return "", err
	}
	k.Service.UseWebhookURLCheck(events.CheckURL(true))
	if _, err := k.Service.CreateWebhook(ctx, ledger, receiver, []string{customer.AllEvents}, "kund crashtest"); err != nil {
		return "", err
	}
	return k.CreateToken(ctx, ledger, []customer.Scope{customer.ScopeWrite}, 0)
}

type child struct {
	cmd  *exec.Cmd
	addr string
	done chan error
	once sync.Once
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	c.once.Do(func() {
		c.cmd.Process.Kill()
		<-c.done
	})
}

// startKund runs `kund serve` on a free port without a rate limit and
// waits for it to listen.
func startKund(ctx context.Context, bin, dbPath, keyFile string) (*child, error) {
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--db", dbPath, "--rate-limit", "0", "--webhooks-allow-insecure")
	cmd.Env = os.Environ()
	if keyFile != "" {
		cmd.Env = append(cmd.Env, "KUND_SECRET_KEY_FILE="+keyFile)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "kund listening" {
				addr <- fmt.Sprint(m["addr"])
			}
		}
		c.done <- cmd.Wait()
	}()
	select {
	case c.addr = <-addr:
		return c, nil
	case err := <-c.done:
		return nil, fmt.Errorf("kund serve exited: %v", err)
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-c.done
		return nil, errors.New("kund serve did not start listening")
	}
}

func crashDo(client *http.Client, method, url, token, ifMatch, body string) (int, string, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		// Headers came but the body did not: the answer is lost.
		return 0, "", err
	}
	return res.StatusCode, res.Header.Get("ETag"), nil
}

func crashGet(client *http.Client, url, token string) (int, string, map[string]any, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, res.Header.Get("ETag"), m, nil
}
