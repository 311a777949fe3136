package main_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestPaywayClientCreate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	mustRun(t, nil, "ledger", "create", "L-1", "--db", db, "--country", "SE")
	out := mustRun(t, nil, "payway", "client", "create", "--db", db, "--ledger", "L-1", "--scope", "/external/account/r")
	var c map[string]string
	if err := json.Unmarshal([]byte(out), &c); err != nil || len(c) != 2 || c["clientId"] == "" || len(c["clientSecret"]) < 40 {
		t.Fatalf("payway client create printed %q", out)
	}
	// Only a hash of the secret is kept.
	files, _ := filepath.Glob(filepath.Join(dir, "k.db*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(c["clientSecret"])) {
			t.Fatalf("%s holds the client secret", f)
		}
	}
	if _, _, code := run(t, nil, "payway", "client", "create", "--db", db, "--ledger", "L-1", "--scope", "/external/account/w"); code != 1 {
		t.Fatalf("unknown scope: exit %d", code)
	}
	if _, _, code := run(t, nil, "payway", "client", "create", "--db", db, "--ledger", "L-9", "--scope", "/external/account/r"); code != 1 {
		t.Fatalf("unknown ledger: exit %d", code)
	}
	if _, _, code := run(t, nil, "payway", "client", "create", "--db", db, "--ledger", "L-1"); code != 2 {
		t.Fatalf("no scope: exit %d", code)
	}
}

func TestWorldlineKeyCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L-1", "--db", db, "--country", "SE")
	out := mustRun(t, nil, "worldline", "key", "create", "--db", db, "--ledger", "L-1")
	var k map[string]string
	if err := json.Unmarshal([]byte(out), &k); err != nil || len(k) != 2 || k["apiKeyId"] == "" || len(k["secretApiKey"]) < 40 {
		t.Fatalf("worldline key create printed %q", out)
	}
	if _, _, code := run(t, nil, "worldline", "key", "create", "--db", db, "--ledger", "L-9"); code != 1 {
		t.Fatalf("unknown ledger: exit %d", code)
	}
	if out := mustRun(t, nil, "worldline", "product", "set", "--db", db, "--ledger", "L-1", "--product", "9100", "--countries", "se,NO"); out == "" {
		t.Fatal("product set printed nothing")
	}
	if _, _, code := run(t, nil, "worldline", "product", "set", "--db", db, "--ledger", "L-1", "--countries", "DE"); code != 1 {
		t.Fatalf("a country without lookup: exit %d", code)
	}
	if _, _, code := run(t, nil, "worldline", "key"); code != 2 {
		t.Fatalf("no verb: exit %d", code)
	}
}
