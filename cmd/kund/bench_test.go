package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kund/kund/internal/pgtest"
)

// A tiny bounded bench: the table and the JSON have every scenario, both
// targets, and no errors. Speed is not asserted.
func TestBenchTiny(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "bench.json")
	db := filepath.Join(dir, "bench.db")
	out := mustRun(t, nil, "bench", "--db", db, "--n", "200", "--duration", "500ms", "--rounds", "1", "--concurrency", "8", "--warmup", "200ms", "--json", js)
	if !regexp.MustCompile(`webhooks: (\d+) of (\d+) acknowledged creates delivered`).MatchString(out) {
		t.Fatalf("no webhooks line:\n%s", out)
	}
	for _, name := range []string{"get", "get-expand", "find", "create", "patch", "mixed"} {
		kund := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s+kund\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(\d+)\s+[\d.]+\s+\d+$`).FindStringSubmatch(out)
		if kund == nil {
			t.Fatalf("no kund row for %s:\n%s", name, out)
		}
		if kund[1] == "0" || kund[2] != "0" {
			t.Errorf("%s: %s req/s, %s errors", name, kund[1], kund[2])
		}
	}
	if !strings.Contains(out, "import: 200 rows") || !regexp.MustCompile(`server peak RSS: [1-9][\d.]* MB`).MatchString(out) {
		t.Fatalf("output lacks import or RSS:\n%s", out)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Customers int
		Import    struct{ Imported int }
		Scenarios []struct {
			Name                    string
			Kund, Bare              struct{ Requests, Errors int }
			KundCPUMicrosPerRequest float64
			Webhooks                *struct{ AcknowledgedCreates, Delivered, Duplicates int }
		}
		ServerPeakRSSBytes int64
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Customers != 200 || rep.Import.Imported != 200 || len(rep.Scenarios) != 7 || rep.ServerPeakRSSBytes <= 0 {
		t.Fatalf("report: %s", b)
	}
	for _, s := range rep.Scenarios {
		if s.Name == "webhooks" {
			// Every acknowledged create's event reached the bench's receiver.
			if w := s.Webhooks; w == nil || w.AcknowledgedCreates == 0 || w.Delivered != w.AcknowledgedCreates || s.Kund.Errors != 0 {
				t.Errorf("webhooks: %+v %+v", s.Kund, s.Webhooks)
			}
			continue
		}
		if s.Kund.Requests == 0 || s.Bare.Requests == 0 || s.Kund.Errors+s.Bare.Errors != 0 || s.KundCPUMicrosPerRequest <= 0 {
			t.Errorf("scenario %s: %+v", s.Name, s)
		}
	}
	// --reuse serves the same database without preparing it again.
	out = mustRun(t, nil, "bench", "--db", db, "--reuse", "--n", "200", "--duration", "200ms", "--rounds", "1", "--concurrency", "4", "--warmup", "0s", "--scenarios", "get")
	if strings.Contains(out, "import:") || !strings.Contains(out, "get ") {
		t.Fatalf("reuse run:\n%s", out)
	}
}

// The same on PostgreSQL: prepared through the import path, served by
// kund serve --db postgres://..., every scenario without errors.
func TestBenchTinyPostgres(t *testing.T) {
	db := pgtest.URL(t)
	key := filepath.Join(t.TempDir(), "kund.key")
	mustRun(t, nil, "keys", "create", key)
	out := mustRun(t, nil, "bench", "--db", db, "--secret-key-file", key, "--n", "100", "--duration", "300ms", "--rounds", "1", "--concurrency", "4", "--warmup", "100ms")
	if !strings.Contains(out, "postgres, 100 customers") || !strings.Contains(out, "import: 100 rows") {
		t.Fatalf("output:\n%s", out)
	}
	if !regexp.MustCompile(`webhooks: (\d+) of (\d+) acknowledged creates delivered`).MatchString(out) {
		t.Fatalf("no webhooks line:\n%s", out)
	}
	for _, name := range []string{"get", "get-expand", "find", "create", "patch", "mixed"} {
		kund := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s+kund\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(\d+)\s+[\d.]+\s+\d+$`).FindStringSubmatch(out)
		if kund == nil || kund[1] == "0" || kund[2] != "0" {
			t.Errorf("%s: %v\n%s", name, kund, out)
		}
	}
}
