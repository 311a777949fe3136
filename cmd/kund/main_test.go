package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kund/kund/internal/app"
)

var kund string // the built binary

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kund-bin-")
	if err != nil {
		panic(err)
	}
	kund = filepath.Join(dir, "kund")
	if out, err := exec.Command("go", "build", "-o", kund, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs kund to completion.
func run(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runWith(t, env, nil, args...)
}

// runWith is run with stdin (nil: none).
func runWith(t *testing.T, env []string, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(kund, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

func mustRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, errOut, code := run(t, env, args...)
	if code != 0 {
		t.Fatalf("kund %v: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

var tokenPattern = regexp.MustCompile(`^kund\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}\n$`)

func TestAdminCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	if out := mustRun(t, nil, "migrate", "--db", db); out != "migrated\n" {
		t.Fatalf("migrate printed %q", out)
	}
	mustRun(t, nil, "ledger", "create", "L-1", "--db", db, "--country", "SE")
	if _, errOut, code := run(t, nil, "ledger", "create", "L-1", "--db", db, "--country", "SE"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("a second ledger L-1: exit %d %s", code, errOut)
	}
	for _, args := range [][]string{
		{"ledger", "create", "L 2", "--db", db, "--country", "SE"},
		{"ledger", "create", "L-3", "--db", db, "--country", "DE"},
		{"ledger", "create", "L-4", "--db", db, "--country", "SE", "--customer-numbers", "random"},
	} {
		if _, _, code := run(t, nil, args...); code != 1 {
			t.Fatalf("%v: exit %d, want 1", args, code)
		}
	}
	// Flags come from the environment too, and token create prints only the token.
	out := mustRun(t, []string{"KUND_DB=" + db}, "token", "create", "--ledger", "L-1", "--scope", "customers:read", "--scope", "customers:write")
	if !tokenPattern.MatchString(out) {
		t.Fatalf("token create printed %q", out)
	}
	out = mustRun(t, []string{"KUND_DB=" + db, "KUND_LEDGER=L-1", "KUND_SCOPE=customers:read,register"}, "token", "create")
	if !tokenPattern.MatchString(out) {
		t.Fatalf("token create from the environment printed %q", out)
	}
	// A token may carry its own rate limit.
	out = mustRun(t, nil, "token", "create", "--db", db, "--ledger", "L-1", "--scope", "customers:read", "--rate-limit", "2.5")
	store, err := app.OpenStore(context.Background(), db, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := store.Token(context.Background(), strings.Split(out, ".")[1])
	store.Close()
	if err != nil || tok.Rate != 2.5 {
		t.Fatalf("the token's own limit: %+v %v", tok, err)
	}
	if _, _, code := run(t, nil, "token", "create", "--db", db, "--ledger", "L-1", "--scope", "customers:read", "--rate-limit", "-1"); code != 2 {
		t.Fatalf("a negative --rate-limit: exit %d, want 2", code)
	}
	for _, args := range [][]string{
		{"token", "create", "--db", db, "--ledger", "L-1", "--scope", "everything"},
		{"token", "create", "--db", db, "--ledger", "L-1"},
		{"frobnicate"},
		{"serve", "--no-such-flag"},
	} {
		if _, _, code := run(t, nil, args...); code != 2 {
			t.Fatalf("%v: exit %d, want 2 (usage)", args, code)
		}
	}
	if _, _, code := run(t, nil, "token", "create", "--db", db, "--ledger", "NOPE", "--scope", "*"); code != 1 {
		t.Fatalf("a token of a ledger that does not exist: exit %d", code)
	}
}

// server is a running `kund serve`.
type server struct {
	cmd    *exec.Cmd
	addr   string
	stderr *bytes.Buffer
	done   chan error
}

func serve(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(kund, args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			s.stderr.WriteString(line + "\n")
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "kund listening" {
				addr <- m["addr"].(string)
			}
		}
	}()
	go func() { s.done <- cmd.Wait(); pw.Close() }()
	select {
	case s.addr = <-addr:
	case err := <-s.done:
		t.Fatalf("kund exited: %v\n%s", err, s.stderr)
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("kund did not start listening")
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return s
}

func TestServeStopsGracefully(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	tok := strings.TrimSpace(mustRun(t, nil, "token", "create", "--db", db, "--ledger", "L", "--scope", "*"))
	s := serve(t, []string{"KUND_DB=" + db, "KUND_ADDR=127.0.0.1:0"}, "serve")

	// A request is under way (half its body sent) when SIGTERM arrives.
	body := `{"customerNo":"1","name":"N","nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"},` +
		`"legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /ledger/customer/v1/L/customers HTTP/1.1\r\nHost: kund\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", tok, len(body), body[:20])
	time.Sleep(200 * time.Millisecond)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	// New connections are refused while the old one finishes.
	if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		c.Close()
		t.Fatal("a new connection was accepted after SIGTERM")
	}
	fmt.Fprint(conn, body[20:])
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("the in-flight request: %d", res.StatusCode)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("kund exited with %v\n%s", err, s.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("kund did not stop after SIGTERM")
	}
	// The write was durable: a new process sees it.
	s2 := serve(t, nil, "serve", "--db", db, "--addr", "127.0.0.1:0")
	req, _ := http.NewRequest("GET", "http://"+s2.addr+"/ledger/customer/v1/L/customers/1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusOK {
		t.Fatalf("after restart: %d", r2.StatusCode)
	}
	if strings.Contains(s.stderr.String(), "19121212") {
		t.Fatalf("the log shows an identity number:\n%s", s.stderr)
	}
	if !strings.Contains(s.stderr.String(), `"route":"POST /ledger/customer/v1/{ledgerNo}/customers"`) {
		t.Fatalf("no request log line with the route:\n%s", s.stderr)
	}
}

// TestDemo runs `kund demo` and the curl commands it prints, as a new user
// would paste them.
func TestDemo(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	cmd := exec.Command(kund, "demo")
	cmd.Env = append(os.Environ(), "KUND_ADDR=127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var curls []string
	var dataDir, consoleURL, operatorPassword string
	sc := bufio.NewScanner(stdout)
	signIn := regexp.MustCompile(`^sign in as demo \(admin of ledger DEMO\) with the password (\S+)$`)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "curl ") {
			curls = append(curls, line)
		}
		if strings.HasPrefix(line, "http://") && strings.HasSuffix(line, "/console/") {
			consoleURL = line
		}
		if m := signIn.FindStringSubmatch(line); m != nil {
			operatorPassword = m[1]
		}
		if _, d, ok := strings.Cut(line, "data in "); ok {
			dataDir = d
		}
		if strings.HasPrefix(line, "Stop with") {
			break
		}
	}
	if len(curls) < 3 || dataDir == "" {
		t.Fatalf("demo printed %d curl commands, data dir %q", len(curls), dataDir)
	}
	checkDemoRegister(t, curls[3:])
	checkDemoConsole(t, consoleURL, operatorPassword)
	for n, c := range curls[:3] {
		out, err := exec.Command("sh", "-c", c+" -w '\n%{http_code}'").Output()
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		i := strings.LastIndex(string(out), "\n")
		body, status := string(out[:i]), string(out[i+1:])
		if status != "200" {
			t.Fatalf("%s: status %s %s", c, status, body)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil || m["customerNo"] != "1001" {
			t.Fatalf("%s: %s", c, body)
		}
		if n == 1 {
			if _, ok := m["legalAddress"].(map[string]any); !ok {
				t.Fatalf("the $expand example did not expand: %s", body)
			}
		}
	}
	checkDemoWebhook(t, sc, curls)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("demo exited with %v", err)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Fatalf("demo left its data dir %s behind", dataDir)
	}
}

// checkDemoConsole signs in to the demo's console as it says to.
func checkDemoConsole(t *testing.T, consoleURL, password string) {
	t.Helper()
	if consoleURL == "" || password == "" {
		t.Fatalf("the demo did not say how to sign in to the console (%q, %q)", consoleURL, password)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(consoleURL + "sign-in")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the console's sign-in page: %d %s", res.StatusCode, page)
	}
	res, err = c.PostForm(consoleURL+"sign-in", url.Values{"csrf": {string(m[1])}, "name": {"demo"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/" {
		t.Fatalf("signing in to the demo's console: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, err = c.Get(consoleURL + "?q=1001")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/customers/DEMO/1001" {
		t.Fatalf("the demo's console finds customer 1001: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// checkDemoWebhook runs the demo's PATCH example and waits for the demo's
// receiver to print the signed delivery of its event; the deliveries log
// shows it delivered.
func checkDemoWebhook(t *testing.T, sc *bufio.Scanner, curls []string) {
	t.Helper()
	var patch, deliveries string
	for _, c := range curls {
		switch {
		case strings.Contains(c, "-X PATCH"):
			patch = c
		case strings.Contains(c, "/deliveries"):
			deliveries = c
		}
	}
	if patch == "" || deliveries == "" {
		t.Fatalf("the demo prints no webhook examples: %v", curls)
	}
	lines := make(chan string, 100)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if body, status := curlStatus(t, patch); status != "200" {
		t.Fatalf("%s: %s %s", patch, status, body)
	}
	timeout := time.After(15 * time.Second)
	for found := false; !found; {
		select {
		case line := <-lines:
			if strings.Contains(line, "signature INVALID") {
				t.Fatalf("the demo receiver refused a signature: %s", line)
			}
			found = strings.Contains(line, "customer.updated of customer 1001, signature ok")
		case <-timeout:
			t.Fatal("the demo's receiver printed no delivery of the PATCH's event")
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		body, status := curlStatus(t, deliveries)
		if status != "200" {
			t.Fatalf("%s: %s %s", deliveries, status, body)
		}
		if strings.Contains(body, `"eventType":"customer.updated","state":"delivered"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deliveries log does not show the delivery: %s", body)
		}
	}
}

func TestLedgerOptions(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	questions := filepath.Join(dir, "kyc.json")
	os.WriteFile(questions, []byte(`[{"questionCode":"employment","questionText":{"en":"What is your current employment?"},
 "answer":{"type":"single","required":true,"possibleAnswers":[{"answerCode":"selfemployed","answerText":{"en":"Own business"}}]}}]`), 0o600)
	out := mustRun(t, nil, "ledger", "create", "L-1", "--db", db, "--country", "SE", "--kyc-questions", questions, "--kyc-renewal-days", "365", "--disbursements")
	if !strings.Contains(out, "created") {
		t.Fatalf("ledger create printed %q", out)
	}
	out = mustRun(t, nil, "ledger", "update", "L-1", "--db", db, "--kyc-renewal-days", "30")
	if want := "ledger L-1 updated (1 KYC questions, KYC renewal after 30 days, disbursements true, client sessions of 10 lookup units for 20m0s, events kept 90 days, register monitoring off)\n"; out != want {
		t.Fatalf("ledger update printed %q, want %q", out, want)
	}
	out = mustRun(t, []string{"KUND_DISBURSEMENTS=false"}, "ledger", "update", "L-1", "--db", db, "--kyc-questions", "none")
	if want := "ledger L-1 updated (0 KYC questions, KYC renewal after 30 days, disbursements false, client sessions of 10 lookup units for 20m0s, events kept 90 days, register monitoring off)\n"; out != want {
		t.Fatalf("ledger update printed %q, want %q", out, want)
	}
	out = mustRun(t, nil, "ledger", "update", "L-1", "--db", db, "--session-lookups", "4", "--session-ttl", "5m", "--event-retention-days", "400",
		"--register-monitoring", "on")
	if want := "ledger L-1 updated (0 KYC questions, KYC renewal after 30 days, disbursements false, client sessions of 4 lookup units for 5m0s, events kept 400 days, register monitoring on)\n"; out != want {
		t.Fatalf("ledger update printed %q, want %q", out, want)
	}
	if _, errOut, code := run(t, nil, "ledger", "update", "L-1", "--db", db, "--register-monitoring", "yes"); code != 2 || !strings.Contains(errOut, "--register-monitoring must be on or off") {
		t.Fatalf("--register-monitoring yes: exit %d %s", code, errOut)
	}
	if _, errOut, code := run(t, nil, "ledger", "update", "L-1", "--db", db, "--session-ttl", "3h"); code != 1 || !strings.Contains(errOut, "sessionTTL") {
		t.Fatalf("a session lifetime over 2h: exit %d %s", code, errOut)
	}
	if _, errOut, code := run(t, nil, "ledger", "update", "L-1", "--db", db, "--event-retention-days", "-1"); code != 1 || !strings.Contains(errOut, "eventRetentionDays") {
		t.Fatalf("a negative event retention: exit %d %s", code, errOut)
	}
	os.WriteFile(questions, []byte(`[{"questionCode":"x","answer":{"type":"maybe"}}]`), 0o600)
	if _, errOut, code := run(t, nil, "ledger", "update", "L-1", "--db", db, "--kyc-questions", questions); code != 1 || !strings.Contains(errOut, "answer.type") {
		t.Fatalf("a bad questions file: exit %d\n%s", code, errOut)
	}
	if _, _, code := run(t, nil, "ledger", "update", "NOPE", "--db", db, "--disbursements"); code != 1 {
		t.Fatalf("update of a missing ledger: exit %d", code)
	}
	if _, _, code := run(t, nil, "ledger", "update", "L-1", "--db", db, "--kyc-renewal-days", "-1"); code != 2 {
		t.Fatalf("negative renewal days: exit %d", code)
	}
}
