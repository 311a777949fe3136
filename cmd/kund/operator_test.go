package main_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/operator"
)

// runIn runs kund to completion with stdin as its standard input.
func runIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runWith(t, nil, strings.NewReader(stdin), args...)
}

func TestOperatorCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L-1", "--db", db, "--country", "SE")
	mustRun(t, nil, "ledger", "create", "L-2", "--db", db, "--country", "NO")
	const pw = "rätt häst batteri"

	out, errOut, code := runIn(t, pw+"\nsecond line is not read\n", "operator", "create", "anna@example.se", "--db", db, "--role", "agent", "--ledger", "L-1", "--ledger", "L-2")
	if code != 0 || out != "operator anna@example.se created (agent; ledgers L-1, L-2)\n" {
		t.Fatalf("create: exit %d, %q %q", code, out, errOut)
	}
	if _, _, code := runIn(t, "another good password\r\n", "operator", "create", "bo", "--db", db, "--role", "admin", "--ledger", "L-2"); code != 0 {
		t.Fatalf("create bo: exit %d", code)
	}

	for _, c := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"short pw\n", []string{"operator", "create", "c", "--role", "viewer", "--ledger", "L-1"}, 1, "at least 12 characters"},
		{"elva tecken\n", []string{"operator", "create", "c", "--role", "viewer", "--ledger", "L-1"}, 1, "at least 12 characters"},
		{"", []string{"operator", "create", "c", "--role", "viewer", "--ledger", "L-1"}, 1, "no password on standard input"},
		{strings.Repeat("x", 2000) + "\n", []string{"operator", "create", "c", "--role", "viewer", "--ledger", "L-1"}, 1, "at most 1024 bytes"},
		{pw + "\n", []string{"operator", "create", "c", "--role", "viewer", "--ledger", "L-9"}, 1, "no ledger L-9"},
		{pw + "\n", []string{"operator", "create", "anna@example.se", "--role", "viewer", "--ledger", "L-1"}, 1, "an operator named anna@example.se exists"},
		{pw + "\n", []string{"operator", "create", "c", "--role", "root", "--ledger", "L-1"}, 2, "--role must be one of [viewer agent admin]"},
		{pw + "\n", []string{"operator", "create", "c", "--role", "viewer"}, 2, "at least one --ledger is required"},
		{pw + "\n", []string{"operator", "create", "c d", "--role", "viewer", "--ledger", "L-1"}, 2, "1-64 letters, digits and . _ - @"},
		{pw + "\n", []string{"operator", "create", strings.Repeat("a", 65), "--role", "viewer", "--ledger", "L-1"}, 2, "1-64 letters"},
		{"", []string{"operator", "disable", "nobody"}, 1, "no operator nobody"},
		{"", []string{"operator", "frobnicate"}, 2, "expected `kund operator create`"},
	} {
		out, errOut, code := runIn(t, c.stdin, append(c.args, "--db", db)...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("kund %s: exit %d, stdout %q, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, out, errOut, c.code, c.want)
		}
		if strings.Contains(errOut, c.stdin) && c.stdin != "" {
			t.Errorf("kund %s printed the password", strings.Join(c.args, " "))
		}
	}

	list := mustRun(t, nil, "operator", "list", "--db", db)
	want := "NAME             ROLE   LEDGERS  DISABLED\n" +
		"anna@example.se  agent  L-1,L-2  no\n" +
		"bo               admin  L-2      no\n"
	if list != want {
		t.Fatalf("list:\n%s\nwant\n%s", list, want)
	}
	if strings.Contains(list, "argon2") {
		t.Fatal("list shows a hash")
	}

	// The stored hash is of the first line, without its line end.
	ops := openOperators(t, db)
	o := ops.operator(t, "anna@example.se")
	if !operator.VerifyPassword(o.PasswordHash, pw) {
		t.Fatal("the stored hash is not of the password given")
	}
	if b := ops.operator(t, "bo"); !operator.VerifyPassword(b.PasswordHash, "another good password") {
		t.Fatal("a CRLF line end was kept in the password")
	}
	session := func() *operator.Session {
		s := &operator.Session{IDHash: []byte(strings.Repeat("h", 32)), OperatorID: o.ID, CSRF: "c", Lang: "sv", CreatedAt: o.CreatedAt, SeenAt: o.CreatedAt}
		if err := ops.CreateOperatorSession(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	ended := func(s *operator.Session) bool {
		_, err := ops.OperatorSession(context.Background(), s.IDHash)
		return err != nil
	}
	ops.Close()

	// reset-password: the new one works, the old one not, sessions end.
	ops = openOperators(t, db)
	s := session()
	ops.Close()
	if out, errOut, code := runIn(t, "short\n", "operator", "reset-password", "anna@example.se", "--db", db); code != 1 || !strings.Contains(errOut, "at least 12 characters") {
		t.Fatalf("a short new password: exit %d %q %q", code, out, errOut)
	}
	if out, _, code := runIn(t, "ett nytt lösenord\n", "operator", "reset-password", "anna@example.se", "--db", db); code != 0 || out != "operator anna@example.se has a new password; its sessions ended\n" {
		t.Fatalf("reset-password: exit %d %q", code, out)
	}
	ops = openOperators(t, db)
	o = ops.operator(t, "anna@example.se")
	if operator.VerifyPassword(o.PasswordHash, pw) || !operator.VerifyPassword(o.PasswordHash, "ett nytt lösenord") {
		t.Fatal("the password was not replaced")
	}
	if !ended(s) {
		t.Fatal("a session outlived a new password")
	}
	s = session()
	ops.Close()

	// disable: listed as disabled, sessions end.
	if out := mustRun(t, nil, "operator", "disable", "anna@example.se", "--db", db); out != "operator anna@example.se disabled; its sessions ended\n" {
		t.Fatalf("disable printed %q", out)
	}
	if list := mustRun(t, nil, "operator", "list", "--db", db); !strings.Contains(list, "anna@example.se  agent  L-1,L-2  yes\n") {
		t.Fatalf("list after disable:\n%s", list)
	}
	ops = openOperators(t, db)
	defer ops.Close()
	if !ops.operator(t, "anna@example.se").Disabled {
		t.Fatal("not disabled")
	}
	if !ended(s) {
		t.Fatal("a session outlived disable")
	}
}

type operatorDB struct {
	operator.Store
	db app.Store
}

func (d operatorDB) Close() { d.db.Close() }

func openOperators(t *testing.T, db string) operatorDB {
	t.Helper()
	s, err := app.OpenStore(context.Background(), db, "")
	if err != nil {
		t.Fatal(err)
	}
	return operatorDB{s.(operator.Store), s}
}

func (d operatorDB) operator(t *testing.T, name string) *operator.Operator {
	t.Helper()
	o, err := d.Operator(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
