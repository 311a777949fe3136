package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/operator"
)

// runOperator runs the operator commands: the accounts of the back-office
// console (docs/console.md). Passwords come from standard input, never
// from the command line, where other users of the machine see them.
func runOperator(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "create", "list", "disable", "reset-password":
	default:
		return fmt.Errorf("%w: expected `kund operator create`, `list`, `disable` or `reset-password`", errUsage)
	}
	fs := flag.NewFlagSet("operator "+sub, flag.ContinueOnError)
	db := addStoreFlags(fs)
	var role *string
	var ledgers listFlag
	if sub == "create" {
		role = fs.String("role", "", fmt.Sprintf("what the operator may do, one of %v", operator.Roles))
		fs.Var(&ledgers, "ledger", "a ledger whose customers the operator sees")
	}
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if sub == "list" {
		if len(pos) > 0 {
			return fmt.Errorf("%w: operator list takes no arguments", errUsage)
		}
		return withOperators(ctx, db, func(_ *app.Kund, ops operator.Store) error { return listOperators(ctx, ops, stdout) })
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: operator %s takes exactly one NAME", errUsage, sub)
	}
	name := pos[0]
	if !operator.ValidName(name) {
		return fmt.Errorf("%w: an operator's name has 1-64 letters, digits and . _ - @", errUsage)
	}
	switch sub {
	case "create":
		r, ok := operator.ParseRole(*role)
		if !ok {
			return fmt.Errorf("%w: --role must be one of %v", errUsage, operator.Roles)
		}
		if len(ledgers) == 0 {
			return fmt.Errorf("%w: at least one --ledger is required", errUsage)
		}
		hash, err := readPassword(stdin)
		if err != nil {
			return err
		}
		return withOperators(ctx, db, func(k *app.Kund, ops operator.Store) error {
			for _, l := range ledgers {
				if _, err := k.Store.Ledger(ctx, l); customer.ErrorCode(err) == customer.ENOTFOUND {
					return fmt.Errorf("no ledger %s", l)
				} else if err != nil {
					return describe(err)
				}
			}
			now := k.Service.Now()
			o := &operator.Operator{Name: name, Role: r, Ledgers: dedupe(ledgers), PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
			if err := ops.CreateOperator(ctx, o); customer.ErrorCode(err) == customer.ECONFLICT {
				return fmt.Errorf("an operator named %s exists", name)
			} else if err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "operator %s created (%s; ledgers %s)\n", o.Name, o.Role, strings.Join(o.Ledgers, ", "))
			return nil
		})
	case "disable":
		return withOperators(ctx, db, func(k *app.Kund, ops operator.Store) error {
			return changeOperator(ctx, k, ops, name, func(o *operator.Operator) { o.Disabled = true }, stdout, "disabled; its sessions ended")
		})
	default: // reset-password
		hash, err := readPassword(stdin)
		if err != nil {
			return err
		}
		return withOperators(ctx, db, func(k *app.Kund, ops operator.Store) error {
			return changeOperator(ctx, k, ops, name, func(o *operator.Operator) { o.PasswordHash = hash }, stdout, "has a new password; its sessions ended")
		})
	}
}

// changeOperator changes an operator and ends its sessions, which were
// opened under what changed.
func changeOperator(ctx context.Context, k *app.Kund, ops operator.Store, name string, change func(*operator.Operator), stdout io.Writer, done string) error {
	o, err := ops.UpdateOperator(ctx, name, func(o *operator.Operator) error {
		change(o)
		o.UpdatedAt = k.Service.Now()
		return nil
	})
	if customer.ErrorCode(err) == customer.ENOTFOUND {
		return fmt.Errorf("no operator %s", name)
	} else if err != nil {
		return describe(err)
	}
	if err := ops.DeleteOperatorSessions(ctx, o.ID); err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "operator %s %s\n", o.Name, done)
	return nil
}

func listOperators(ctx context.Context, ops operator.Store, stdout io.Writer) error {
	all, err := ops.Operators(ctx)
	if err != nil {
		return describe(err)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tROLE\tLEDGERS\tDISABLED")
	for _, o := range all {
		disabled := "no"
		if o.Disabled {
			disabled = "yes"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", o.Name, o.Role, strings.Join(o.Ledgers, ","), disabled)
	}
	return w.Flush()
}

// readPassword reads the password from the first line of stdin, checks it
// against the rules and hashes it. A refused password exits with status
// 1 and the rule it broke.
func readPassword(stdin io.Reader) (string, error) {
	r := bufio.NewReader(io.LimitReader(stdin, operator.MaxPasswordBytes+3))
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	if line == "" {
		return "", fmt.Errorf("no password on standard input (its first line is the password)")
	}
	p := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	hash, err := operator.HashPassword(p)
	if err != nil {
		return "", fmt.Errorf("%s", strings.TrimPrefix(err.Error(), operator.ErrPasswordRule.Error()+": "))
	}
	return hash, nil
}

// withOperators runs fn with a Kund on the database and its operators.
func withOperators(ctx context.Context, db storeFlags, fn func(*app.Kund, operator.Store) error) error {
	return withKund(ctx, db, func(k *app.Kund) error {
		ops, ok := k.Store.(operator.Store)
		if !ok {
			return fmt.Errorf("this database keeps no operators")
		}
		return fn(k, ops)
	})
}

func dedupe(ls []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range ls {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
