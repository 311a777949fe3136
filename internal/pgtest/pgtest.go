// Package pgtest gives tests a real, throwaway PostgreSQL: one cluster per
// test binary, made with initdb in a temp dir and run by pg_ctl as an
// unprivileged user on a free port of 127.0.0.1, and a fresh database per
// test. The cluster is stopped and its directory removed when the test
// binary exits, however it exits: a watcher process waits for the binary's
// end of a pipe to close.
//
// KUND_TEST_POSTGRES=postgres://... uses that server instead (each test
// still gets its own database). When PostgreSQL cannot be had, tests skip,
// or fail if KUND_REQUIRE_POSTGRES=1.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Env names.
const (
	EnvURL     = "KUND_TEST_POSTGRES"
	EnvRequire = "KUND_REQUIRE_POSTGRES"
	EnvBin     = "KUND_PG_BIN" // a directory holding initdb and pg_ctl
)

// User is the system account that runs the clusters when the tests run as
// root, since PostgreSQL refuses to run as root.
const User = "kundtest"

// Unavailable skips the test, or fails it when PostgreSQL is required.
func Unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("PostgreSQL is required (%s=1) but cannot be had: %v", EnvRequire, err)
	}
	t.Skipf("skipping: no PostgreSQL for the tests (%v); install PostgreSQL 15 or set %s=postgres://...", err, EnvURL)
}

var shared struct {
	once sync.Once
	url  string // the server's maintenance database
	err  error
}

// server returns the URL of the maintenance database of the shared server.
func server() (string, error) {
	shared.once.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			shared.url = u
			return
		}
		c, err := NewCluster()
		if err != nil {
			shared.err = err
			return
		}
		shared.url = c.URL("postgres")
	})
	return shared.url, shared.err
}

// URL returns the URL of a fresh, empty database on the shared server,
// dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	base, err := server()
	if err != nil {
		Unavailable(t, err)
	}
	u, err := CreateDatabase(base)
	if err != nil {
		Unavailable(t, err)
	}
	t.Cleanup(func() { dropDatabase(base, u) })
	return u
}

var dbSeq struct {
	sync.Mutex
	n int
}

// CreateDatabase creates a database with a new name on the server of base
// and returns its URL.
func CreateDatabase(base string) (string, error) {
	dbSeq.Lock()
	dbSeq.n++
	name := fmt.Sprintf("kund_%d_%d_%d", os.Getpid(), dbSeq.n, rand.IntN(1_000_000))
	dbSeq.Unlock()
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	return withDatabase(base, name)
}

func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func dropDatabase(base, dbURL string) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// FORCE ends the connections a test's pool may still hold.
	db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+strings.TrimPrefix(u.Path, "/")+" WITH (FORCE)")
}

// Cluster is a PostgreSQL cluster of the tests' own.
type Cluster struct {
	Dir  string // holds data/, the socket and the log
	Port int
	bin  string
	cred *syscall.Credential
	stop func() // ends the watcher, which stops the server and removes Dir
	done chan struct{}
}

// NewCluster makes and starts a cluster. It is removed when the test binary
// exits, or earlier by Close.
func NewCluster() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, uid, gid, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempBase(cred != nil), "kund-pg-")
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	c := &Cluster{Dir: dir, bin: bin, cred: cred, done: make(chan struct{})}
	if err := c.watch(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"); err != nil {
		c.Close()
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	for attempt := 0; ; attempt++ {
		c.Port, err = freePort()
		if err != nil {
			c.Close()
			return nil, err
		}
		// Durability is of no use to a throwaway cluster; speed is.
		conf := fmt.Sprintf("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n"+
			"fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 300\nshared_buffers = 32MB\n",
			c.Port, dir)
		f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			c.Close()
			return nil, err
		}
		f.WriteString(conf)
		f.Close()
		if err = c.Start(); err == nil {
			return c, nil
		}
		if attempt == 2 {
			c.Close()
			return nil, err
		}
	}
}

// URL returns the URL of database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() error {
	out, err := c.run("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-l", filepath.Join(c.Dir, "log"), "-w", "-t", "60", "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.Dir, "log"))
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return nil
}

// Stop stops the server as an operator would in a hurry (fast mode: open
// connections are ended).
func (c *Cluster) Stop() error {
	out, err := c.run("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-m", "fast", "-w", "-t", "60", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// Close stops the server and removes its directory.
func (c *Cluster) Close() {
	c.stop()
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
	}
}

// run runs one of PostgreSQL's programs as the cluster's user.
func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Env = []string{"PATH=" + c.bin + ":/usr/bin:/bin", "LANG=C", "LC_ALL=C", "TZ=UTC", "HOME=" + c.Dir}
	cmd.Dir = c.Dir
	// Its own process group, so a ^C to the tests does not reach the server
	// (which pg_ctl starts in it) before the watcher's cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	return cmd.CombinedOutput()
}

// watch starts the watcher: a shell that reads its stdin, a pipe whose
// write end only this process holds. When this process ends, or Close
// closes it, the read returns and the shell stops the server and removes
// the directory.
func (c *Cluster) watch() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	script := `read -r _; "$0/pg_ctl" -D "$1/data" -m immediate -w -t 30 stop >/dev/null 2>&1; rm -rf "$1"`
	cmd := exec.Command("/bin/sh", "-c", script, c.bin, c.Dir)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C"}
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("start the cluster watcher: %w", err)
	}
	r.Close()
	var once sync.Once
	c.stop = func() { once.Do(func() { w.Close() }) }
	go func() { cmd.Wait(); close(c.done) }()
	return nil
}

// Dump is what pg_dump writes of the database at dbURL (plain SQL, the
// data as COPY text): what a backup of it would hold.
func Dump(t testing.TB, dbURL string) []byte {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(bin, "pg_dump"), "--no-owner", dbURL).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	return out
}

// binDir finds initdb and pg_ctl: in KUND_PG_BIN if set, else in
// PostgreSQL 15's Debian directory or the newest other version there.
func binDir() (string, error) {
	if d := os.Getenv(EnvBin); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBin, d, err)
		}
		return d, nil
	}
	cands := []string{"/usr/lib/postgresql/15/bin"}
	others, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(others)))
	for _, d := range append(cands, others...) {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no initdb in /usr/lib/postgresql/15/bin (apt-get install postgresql-15)")
}

// runAs returns the credential to run PostgreSQL with: none when not root,
// else the kundtest system user, created if missing.
func runAs() (*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, 0, 0, nil
	}
	u, err := user.Lookup(User)
	if err != nil {
		// Several test binaries may race to create it; look again after.
		out, aerr := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", User).CombinedOutput()
		if u, err = user.Lookup(User); err != nil {
			return nil, 0, 0, fmt.Errorf("no user %s to run PostgreSQL as (useradd: %v %s)", User, aerr, out)
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid, gid, nil
}

// tempBase is where the cluster's directory goes: the usual temp dir,
// unless the cluster's user could not reach it (a root-only TMPDIR).
func tempBase(otherUser bool) string {
	base := os.TempDir()
	if !otherUser {
		return base
	}
	for d := base; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if d == filepath.Dir(d) {
			return base
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
