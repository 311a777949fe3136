package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
)

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	db := addStoreFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := db.open(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrated")
	return store.Close()
}

func runLedger(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "update" {
		return runLedgerUpdate(ctx, args[1:], stdout)
	}
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: expected `kund ledger create` or `kund ledger update`", errUsage)
	}
	fs := flag.NewFlagSet("ledger create", flag.ContinueOnError)
	db := addStoreFlags(fs)
	country := fs.String("country", "", "SE, NO, DK or FI")
	numbers := fs.String("customer-numbers", customer.NumbersClient, "client or generated")
	opts := ledgerOptionFlags(fs)
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: ledger create takes exactly one LEDGERNO", errUsage)
	}
	return withKund(ctx, db, func(k *app.Kund) error {
		l := &customer.Ledger{No: pos[0], Country: *country, CustomerNumbers: *numbers}
		o, err := opts.read(fs)
		if err != nil {
			return err
		}
		applyOptions(o, l)
		if err := k.Service.CreateLedger(ctx, l); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "ledger %s created (%s, %s customer numbers)\n", l.No, l.Country, l.CustomerNumbers)
		return nil
	})
}

func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		return fmt.Errorf("%w: expected `kund token create` or `kund token revoke`", errUsage)
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	db := addStoreFlags(fs)
	if args[0] == "revoke" {
		pos, err := parseFlags(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return fmt.Errorf("%w: token revoke takes exactly one TOKENID", errUsage)
		}
		return withKund(ctx, db, func(k *app.Kund) error {
			return describe(k.Store.RevokeToken(ctx, pos[0], k.Service.Now()))
		})
	}
	ledger := fs.String("ledger", "", "ledger number the token is bound to")
	ttl := fs.Duration("ttl", 0, "lifetime of the token (0: no expiry)")
	rate := fs.Float64("rate-limit", 0, "the token's own limit in requests per second, on every API (0: the server's --rate-limit)")
	var scopes listFlag
	fs.Var(&scopes, "scope", fmt.Sprintf("a scope the token grants, one of %v", customer.Scopes))
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: token create takes no arguments", errUsage)
	}
	if len(scopes) == 0 {
		return fmt.Errorf("%w: at least one --scope is required", errUsage)
	}
	var sc []customer.Scope
	for _, s := range scopes {
		v, ok := customer.ParseScope(s)
		if !ok {
			return fmt.Errorf("%w: unknown scope %q", errUsage, s)
		}
		sc = append(sc, v)
	}
	if *ttl < 0 || *rate < 0 {
		return fmt.Errorf("%w: --ttl and --rate-limit must not be negative", errUsage)
	}
	return withKund(ctx, db, func(k *app.Kund) error {
		plain, err := k.CreateLimitedToken(ctx, *ledger, sc, *ttl, *rate)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, plain)
		return nil
	})
}

// storeFlags are the flags that name the database and Kund's secret key,
// which every command that opens the database takes.
type storeFlags struct{ db, keyFile *string }

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		db:      fs.String("db", "", "SQLite file or postgres:// URL"),
		keyFile: fs.String("secret-key-file", "", "Kund's secret key (default: DB.key beside a SQLite file, created when missing; required with PostgreSQL)"),
	}
}

func (f storeFlags) open(ctx context.Context) (app.Store, error) {
	return app.OpenStore(ctx, *f.db, *f.keyFile)
}

// withKund opens the database, assembles a Kund on it, runs fn and closes.
func withKund(ctx context.Context, db storeFlags, fn func(*app.Kund) error) error {
	store, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(app.New(store, app.Config{}))
}

// describe turns a domain error into a message for the terminal.
func describe(err error) error {
	if err == nil || customer.ErrorCode(err) == customer.EINTERNAL {
		return err
	}
	msg := customer.ErrorMessage(err)
	for _, p := range customer.ErrorProblems(err) {
		msg += fmt.Sprintf("\n  %s: %s", p.Field, p.Message)
	}
	return fmt.Errorf("%s", msg)
}
