package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/register"
)

// runRegister runs `kund register generate` and `kund register refresh`.
func runRegister(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "refresh" {
		return runRegisterRefresh(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "generate" {
		return fmt.Errorf("%w: register takes the subcommand generate or refresh", errUsage)
	}
	fs := flag.NewFlagSet("register generate", flag.ContinueOnError)
	country := fs.String("country", "SE", "SE, NO, DK or FI")
	count := fs.Int("count", 100, "number of persons")
	seed := fs.Uint64("seed", 0, "random seed; 0 draws one from the clock")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: register generate takes no arguments", errUsage)
	}
	if *count < 0 {
		return fmt.Errorf("%w: --count must be 0 or more", errUsage)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	if err := register.Generate(stdout, register.GenerateOptions{Country: *country, Count: *count, Seed: *seed}); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// runRegisterRefresh runs `kund register refresh`: the customers of a
// ledger whose legal address the register has not confirmed for a while
// are looked up again, at a pace the register can bear.
func runRegisterRefresh(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("register refresh", flag.ContinueOnError)
	db := addStoreFlags(fs)
	ledgerNo := fs.String("ledger", "", "the ledger whose customers are checked")
	olderThan := fs.Duration("older-than", 720*time.Hour, "check legal addresses the register confirmed longer ago than this, or never")
	pace := fs.String("rate", "10", "register lookups per second, `N` or N/s (0: as fast as the register answers)")
	var cfg Config
	fs.StringVar(&cfg.RegisterFile, "register-file", "", "population register CSV file")
	fs.StringVar(&cfg.RegisterURL, "register-url", "", "population register behind the HTTP contract of docs/register.md")
	fs.DurationVar(&cfg.RegisterTimeout, "register-timeout", 2*time.Second, "time limit of one register lookup, retries included")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: register refresh takes no arguments", errUsage)
	}
	if *ledgerNo == "" {
		return fmt.Errorf("%w: --ledger is required", errUsage)
	}
	if *olderThan < 0 {
		return fmt.Errorf("%w: --older-than must not be negative", errUsage)
	}
	perSecond, err := strconv.ParseFloat(strings.TrimSuffix(*pace, "/s"), 64)
	if err != nil || perSecond < 0 {
		return fmt.Errorf("%w: --rate must be a number of lookups per second, such as 10 or 10/s", errUsage)
	}
	if cfg.RegisterFile == "" && cfg.RegisterURL == "" {
		return fmt.Errorf("%w: register refresh needs a register: --register-file or --register-url", errUsage)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(stderr, nil))}
	provider, err := m.openRegister()
	if err != nil {
		return err
	}
	var limiter *rate.Limiter
	if perSecond > 0 {
		limiter = rate.NewLimiter(rate.Limit(perSecond), 1)
	}
	store, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	k := app.New(store, app.Config{Register: provider, Log: m.Log})
	started := time.Now()
	pr, err := k.Monitor.Refresh(ctx, register.RefreshOptions{LedgerNo: *ledgerNo, OlderThan: *olderThan, Limiter: limiter,
		Progress: func(pr register.RefreshProgress) {
			fmt.Fprintf(stderr, "register refresh %s: %d of %d checked (%d changed, %d unchanged, %d skipped, %d not in the register), %s\n",
				*ledgerNo, pr.Checked, pr.Total, pr.Changed, pr.Unchanged, pr.Skipped, pr.NotFound, time.Since(started).Round(time.Millisecond))
		}})
	if err != nil {
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return fmt.Errorf("register refresh stopped after %d customers; run it again to resume", pr.Checked)
		}
		return fmt.Errorf("register refresh stopped after %d customers (run it again to resume): %w", pr.Checked, describe(err))
	}
	resumed := ""
	if pr.Resumed {
		resumed = ", resuming an earlier run"
	}
	_, err = fmt.Fprintf(stdout, "ledger %s refreshed: %d checked, %d changed, %d unchanged, %d skipped, %d not in the register%s\n",
		*ledgerNo, pr.Checked, pr.Changed, pr.Unchanged, pr.Skipped, pr.NotFound, resumed)
	return err
}
