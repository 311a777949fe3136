package main_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// commandFlags are the flags of every command, as a person reads them in
// README.md, docs/ and the code; the help must show exactly these.
var commandFlags = map[string][]string{
	"serve": {"addr", "db", "public-url", "register-file", "register-url", "register-timeout", "register-cache-ttl", "register-poll",
		"secret-key-file", "rate-limit", "rate-burst", "auth-failure-rate", "auth-failure-burst", "lookup-rate",
		"lookup-burst", "ledger-lookup-rate", "ledger-lookup-burst", "address-lookup-rate", "address-lookup-burst",
		"trust-proxy", "cors-origins", "card-gateway", "disclosure-retention", "events-nats", "webhooks-allow-insecure"},
	"migrate": {"db", "secret-key-file"},
	"ledger create": {"db", "secret-key-file", "country", "customer-numbers", "kyc-questions", "kyc-renewal-days",
		"disbursements", "session-lookups", "session-ttl", "event-retention-days", "register-monitoring"},
	"ledger update":           {"db", "secret-key-file", "kyc-questions", "kyc-renewal-days", "disbursements", "session-lookups", "session-ttl", "event-retention-days", "register-monitoring"},
	"token create":            {"db", "secret-key-file", "ledger", "ttl", "rate-limit", "scope"},
	"token revoke":            {"db", "secret-key-file"},
	"operator create":         {"db", "secret-key-file", "role", "ledger"},
	"operator list":           {"db", "secret-key-file"},
	"operator disable":        {"db", "secret-key-file"},
	"operator reset-password": {"db", "secret-key-file"},
	"worldline key create":    {"db", "secret-key-file", "ledger"},
	"worldline product set":   {"db", "secret-key-file", "ledger", "product", "countries"},
	"payway client create":    {"db", "secret-key-file", "ledger", "scope"},
	"webhook create":          {"db", "secret-key-file", "ledger", "url", "description", "webhooks-allow-insecure", "event"},
	"demo":                    {"addr"},
	"register generate":       {"country", "count", "seed"},
	"register refresh":        {"db", "secret-key-file", "ledger", "older-than", "rate", "register-file", "register-url", "register-timeout"},
	"crashtest":               {"rounds", "seconds", "workers", "dir", "kund", "db", "secret-key-file"},
	"import":                  {"db", "secret-key-file", "ledger", "format", "strict", "batch", "progress"},
	"export":                  {"db", "secret-key-file", "ledger"},
	"bench": {"db", "secret-key-file", "n", "reuse", "duration", "rounds", "concurrency", "warmup", "scenarios", "changes",
		"json", "kund"},
	"keys create": nil,
	"version":     nil,
}

var flagLine = regexp.MustCompile(`^  --([a-z-]+)`)

// helpFlags reads the flags a command's help shows: each flag's name and
// its entry (its line and the continuation lines, joined).
func helpFlags(help string) map[string]string {
	entries := map[string]string{}
	last := ""
	for _, line := range strings.Split(help, "\n") {
		if m := flagLine.FindStringSubmatch(line); m != nil {
			last = m[1]
			entries[last] = strings.TrimSpace(line)
		} else if last != "" && strings.HasPrefix(line, "   ") {
			entries[last] += " " + strings.TrimSpace(line)
		} else {
			last = ""
		}
	}
	return entries
}

func envName(flag string) string {
	return "KUND_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

func TestCommandHelp(t *testing.T) {
	for name, want := range commandFlags {
		args := append(strings.Fields(name), "-h")
		out, errOut, code := run(t, nil, args...)
		if code != 0 || errOut != "" {
			t.Fatalf("kund %s -h: exit %d, stderr %q", name, code, errOut)
		}
		if !strings.HasPrefix(out, "usage: kund "+name) {
			t.Errorf("kund %s -h does not begin with its usage line:\n%s", name, out)
		}
		if lines := strings.Split(out, "\n"); len(lines) < 3 || lines[2] == "" {
			t.Errorf("kund %s -h does not say what the command does:\n%s", name, out)
		}
		entries := helpFlags(out)
		var got []string
		for f, entry := range entries {
			got = append(got, f)
			if !strings.Contains(entry, envName(f)) {
				t.Errorf("kund %s -h: --%s does not name %s: %q", name, f, envName(f), entry)
			}
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("kund %s -h shows the flags %q, want %q", name, got, want)
		}
		for _, other := range [][]string{
			append(strings.Fields(name), "--help"),
			append([]string{"help"}, strings.Fields(name)...),
		} {
			if o, _, code := run(t, nil, other...); code != 0 || o != out {
				t.Errorf("kund %s: exit %d, not the help of kund %s -h:\n%s", strings.Join(other, " "), code, name, o)
			}
		}
	}

	out := mustRun(t, nil, "serve", "-h")
	entries := helpFlags(out)
	for f, want := range map[string][]string{
		"rate-limit":       {"--rate-limit N ", "requests per second of one credential", "KUND_RATE_LIMIT"},
		"cors-origins":     {"browser origins", "KUND_CORS_ORIGINS"},
		"secret-key-file":  {"required with PostgreSQL", "KUND_SECRET_KEY_FILE"},
		"addr":             {"(default 127.0.0.1:8080; KUND_ADDR)"},
		"register-timeout": {"--register-timeout DURATION", "(default 2s; KUND_REGISTER_TIMEOUT)"},
		"lookup-rate":      {"(default 100; KUND_LOOKUP_RATE)"},
		"trust-proxy":      {"(KUND_TRUST_PROXY)"},
	} {
		for _, w := range want {
			if !strings.Contains(entries[f], w) {
				t.Errorf("kund serve -h: --%s does not say %q: %q", f, w, entries[f])
			}
		}
	}
	if entry := helpFlags(mustRun(t, nil, "token", "create", "-h"))["scope"]; !strings.Contains(entry, "repeatable") ||
		!strings.Contains(entry, "customers:read") {
		t.Errorf("kund token create -h: --scope is not shown as repeatable with its scopes: %q", entry)
	}
	// The positional arguments may come before -h.
	if out := mustRun(t, nil, "ledger", "create", "L-1", "-h"); !strings.HasPrefix(out, "usage: kund ledger create LEDGERNO") {
		t.Errorf("kund ledger create L-1 -h printed\n%s", out)
	}
}

func TestGroupHelp(t *testing.T) {
	for group, cmds := range map[string][]string{
		"ledger":    {"ledger create LEDGERNO", "ledger update LEDGERNO"},
		"token":     {"token create", "token revoke TOKENID"},
		"operator":  {"operator create NAME", "operator list", "operator disable NAME", "operator reset-password NAME"},
		"worldline": {"worldline key create", "worldline product set"},
		"keys":      {"keys create FILE"},
	} {
		out := mustRun(t, nil, group, "-h")
		for _, c := range cmds {
			if !strings.Contains(out, "kund "+c) {
				t.Errorf("kund %s -h does not list kund %s:\n%s", group, c, out)
			}
		}
	}
}

func TestGlobalUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"-h"}, {"--help"}, {"help"}} {
		out := mustRun(t, nil, args...)
		for name := range commandFlags {
			if !strings.Contains(out, "kund "+name) {
				t.Errorf("kund %v does not list kund %s", args, name)
			}
		}
		if !strings.Contains(out, "kund COMMAND -h") {
			t.Errorf("kund %v does not mention kund COMMAND -h", args)
		}
	}
	// An unknown command prints the global usage; it is a usage error.
	if _, errOut, code := run(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) ||
		!strings.Contains(errOut, "kund serve") {
		t.Errorf("kund frobnicate: exit %d\n%s", code, errOut)
	}
}

func TestUsageErrorsNameTheHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--no-such-flag"}, "kund serve: flag provided but not defined: -no-such-flag (see kund serve -h)\n"},
		{[]string{"serve", "--rate-limit", "fast"}, `kund serve: invalid value "fast" for flag -rate-limit: parse error (see kund serve -h)` + "\n"},
		{[]string{"ledger", "create", "L-1", "--frob"}, "kund ledger create: flag provided but not defined: -frob (see kund ledger create -h)\n"},
		{[]string{"token", "create", "--ledger", "L-1"}, "kund token create: at least one --scope is required (see kund token create -h)\n"},
		{[]string{"ledger"}, "(see kund ledger -h)\n"},
		{[]string{"version", "--short"}, "(see kund version -h)\n"},
	} {
		out, errOut, code := run(t, nil, c.args...)
		if code != 2 || out != "" || !strings.HasSuffix(errOut, c.want) || strings.Contains(errOut, "usage:") {
			t.Errorf("kund %s: exit %d, stdout %q, stderr %q; want exit 2 and %q alone", strings.Join(c.args, " "), code, out, errOut, c.want)
		}
	}
	// A bad value of an environment variable names the variable.
	if _, errOut, code := run(t, []string{"KUND_RATE_LIMIT=fast"}, "serve"); code != 2 || !strings.Contains(errOut, "KUND_RATE_LIMIT") ||
		!strings.Contains(errOut, "(see kund serve -h)") {
		t.Errorf("KUND_RATE_LIMIT=fast kund serve: exit %d %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	out := mustRun(t, nil, "version")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("kund version printed %q, want three lines", out)
	}
	if !strings.HasPrefix(lines[0], "github.com/kund/kund ") {
		t.Errorf("kund version: %q, want the module path and version", lines[0])
	}
	if !regexp.MustCompile(`^revision (unknown|[0-9a-f]{40}( of \S+)?(, modified)?)$`).MatchString(lines[1]) {
		t.Errorf("kund version: %q, want the VCS revision or revision unknown", lines[1])
	}
	if !regexp.MustCompile(`^go1\.\d+`).MatchString(lines[2]) {
		t.Errorf("kund version: %q, want the Go version", lines[2])
	}
}
