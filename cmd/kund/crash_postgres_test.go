package main_test

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kund/kund/internal/pgtest"
)

// TestCrashPostgres is TestCrash against PostgreSQL: kund serve is killed
// (the database server is not), every acknowledged write must be there
// after the restart, every B-tree index must agree with its table, and
// the webhook must get every acknowledged write's event.
func TestCrashPostgres(t *testing.T) {
	db := pgtest.URL(t)
	dir := t.TempDir()
	out := mustRun(t, nil, "crashtest", "--db", db, "--rounds", "10", "--seconds", "0.5", "--workers", "4", "--dir", dir)
	m := regexp.MustCompile(`crashtest ok: 10 rounds survived, (\d+) requests, (\d+) writes acknowledged .*; amcheck: (\d+) B-tree indexes agree.*; the webhook got all (\d+) events`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("unexpected report:\n%s", out)
	}
	if acked, _ := strconv.Atoi(m[2]); acked == 0 {
		t.Fatalf("no write was acknowledged, so nothing was tested:\n%s", out)
	}
	// It can run again on the same database (a ledger per run), with the
	// database's key: the first run made it in its --dir.
	mustRun(t, nil, "crashtest", "--db", db, "--rounds", "1", "--seconds", "0.3", "--workers", "2", "--dir", t.TempDir(),
		"--secret-key-file", filepath.Join(dir, "crash.key"))
	// Another key is refused: the database's blind indexes are made with the first.
	if _, errOut, code := run(t, nil, "crashtest", "--db", db, "--rounds", "1", "--seconds", "0.3", "--workers", "2", "--dir", t.TempDir()); code == 0 ||
		!strings.Contains(errOut, "index key") {
		t.Fatalf("a crash test with another key: exit %d %s", code, errOut)
	}
	t.Log(out)
}

// TestCrashIgnoresKundDB: the crash test never takes its database from
// KUND_DB, which names a real Kund's database.
func TestCrashIgnoresKundDB(t *testing.T) {
	out := mustRun(t, []string{"KUND_DB=postgres://nobody@127.0.0.1:1/nothing"}, "crashtest", "--rounds", "1", "--seconds", "0.3", "--workers", "2", "--dir", t.TempDir())
	if !regexp.MustCompile(`crashtest ok: 1 rounds survived.*integrity_check ok`).MatchString(out) {
		t.Fatalf("unexpected report:\n%s", out)
	}
	if _, _, code := run(t, nil, "crashtest", "--db", "/tmp/a.db"); code != 2 {
		t.Fatalf("--db with a file: exit %d, want 2", code)
	}
}
