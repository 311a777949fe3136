package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kund/kund/internal/bench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	db := fs.String("db", "", "SQLite file or postgres:// URL to prepare (or reuse with --reuse); default: a new SQLite file in a temporary directory")
	keyFile := fs.String("secret-key-file", "", "Kund's secret key (default: DB.key beside a SQLite file; required with PostgreSQL)")
	n := fs.Int("n", 1_000_000, "customers to prepare")
	reuse := fs.Bool("reuse", false, "the database has the bench ledger with --n customers already")
	dur := fs.Duration("duration", 5*time.Second, "per scenario, target and round")
	rounds := fs.Int("rounds", 2, "alternating rounds per scenario (Kund, bare, Kund, bare, ...)")
	conc := fs.Int("concurrency", 64, "concurrent connections")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured read load on both servers before the scenarios")
	scen := fs.String("scenarios", strings.Join(bench.Scenarios, ","), "scenarios to run; also "+bench.Monitor+", which changes customers for good")
	changes := fs.Int("changes", 10_000, "register changes of the "+bench.Monitor+" scenario")
	jsonOut := fs.String("json", "", "also write the report as JSON to `FILE`")
	server := fs.String("kund", "", "`PATH` of the kund binary to serve with (default: this one), to compare builds")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: bench takes no arguments", errUsage)
	}
	switch {
	case *n < 1 || *n > 8_000_000:
		return fmt.Errorf("%w: --n must be between 1 and 8000000", errUsage)
	case *dur <= 0 || *dur > 10*time.Minute:
		return fmt.Errorf("%w: --duration must be between 0 and 10m", errUsage)
	case *rounds < 1 || *rounds > 20:
		return fmt.Errorf("%w: --rounds must be between 1 and 20", errUsage)
	case *conc < 1 || *conc > 1024:
		return fmt.Errorf("%w: --concurrency must be between 1 and 1024", errUsage)
	case *warmup < 0 || *warmup > time.Minute:
		return fmt.Errorf("%w: --warmup must be between 0 and 1m", errUsage)
	case *reuse && *db == "":
		return fmt.Errorf("%w: --reuse needs --db", errUsage)
	}
	if *db == "" {
		dir, err := os.MkdirTemp("", "kund-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*db = filepath.Join(dir, "bench.db")
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if *server != "" {
		exe = *server
	}
	var names []string
	for _, s := range strings.Split(*scen, ",") {
		if s = strings.TrimSpace(s); s != "" {
			names = append(names, s)
		}
	}
	rep, err := bench.Run(ctx, bench.Config{Exe: exe, DB: *db, KeyFile: *keyFile, N: *n, Reuse: *reuse, Duration: *dur, Rounds: *rounds,
		Concurrency: *conc, Scenarios: names, Warmup: *warmup, Changes: *changes, Log: stderr})
	if err != nil {
		return err
	}
	bench.Print(stdout, rep)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}
