package main_test

import (
	"bufio"
	"encoding/json"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeLogsNetHTTPErrorsAsJSON runs `kund serve` with 64 file
// descriptors and opens more connections than that: what net/http logs
// itself ("http: Accept error: ... too many open files") is a warning of
// the JSON log, and every line kund writes to stderr is JSON.
func TestServeLogsNetHTTPErrorsAsJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "migrate", "--db", db)
	// The shell lowers both limits, so the Go runtime cannot raise its own
	// soft limit again.
	cmd := exec.Command("sh", "-c", `ulimit -n 64 && exec "$0" "$@"`, kund, "serve", "--db", db, "--addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	var (
		mu    sync.Mutex
		lines []string
		addr  = make(chan string, 1)
		eof   = make(chan struct{})
	)
	go func() {
		defer close(eof)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "kund listening" {
				addr <- m["addr"].(string)
			}
		}
	}()
	var a string
	select {
	case a = <-addr:
	case <-time.After(10 * time.Second):
		t.Fatal("kund did not start listening")
	}
	acceptError := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(strings.Join(lines, "\n"), "http: Accept error")
	}
	var conns []net.Conn
	for i := 0; i < 128 && !acceptError(); i++ {
		c, err := net.DialTimeout("tcp", a, time.Second)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	for deadline := time.Now().Add(5 * time.Second); !acceptError() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range conns {
		c.Close()
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-eof
	if err := cmd.Wait(); err != nil {
		t.Fatalf("kund serve: %v\n%s", err, strings.Join(lines, "\n"))
	}
	warned := false
	for _, l := range lines {
		var m struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("a line on stderr is not JSON: %q", l)
			continue
		}
		if strings.HasPrefix(m.Msg, "http: Accept error") {
			warned = true
			if m.Level != "WARN" {
				t.Errorf("net/http's accept error is logged at %s, want WARN", m.Level)
			}
		}
	}
	if !warned {
		t.Errorf("no accept error of net/http in the JSON log:\n%s", strings.Join(lines, "\n"))
	}
}
