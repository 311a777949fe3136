package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/compat/payway"
	"github.com/kund/kund/internal/compat/worldline"
)

// runPayway is `kund payway client create`: it prints the new client's id
// and secret as JSON, once.
func runPayway(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) < 2 || args[0] != "client" || args[1] != "create" {
		return fmt.Errorf("%w: expected `kund payway client create`", errUsage)
	}
	fs := flag.NewFlagSet("payway client create", flag.ContinueOnError)
	db := addStoreFlags(fs)
	ledger := fs.String("ledger", "", "ledger number the client is bound to")
	var scopes listFlag
	fs.Var(&scopes, "scope", "a Payway scope the client may ask for, such as "+payway.ScopeAccountRead)
	pos, err := parseFlags(fs, args[2:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: payway client create takes no arguments", errUsage)
	}
	if len(scopes) == 0 {
		return fmt.Errorf("%w: at least one --scope is required", errUsage)
	}
	return withKund(ctx, db, func(k *app.Kund) error {
		id, secret, err := payway.CreateClient(ctx, k.Service, k.Store, *ledger, scopes)
		if err != nil {
			return describe(err)
		}
		return json.NewEncoder(stdout).Encode(map[string]string{"clientId": id, "clientSecret": secret})
	})
}

// runWorldline is `kund worldline key create`: it prints the new API key's
// id and secret as JSON.
func runWorldline(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) >= 2 && args[0] == "product" && args[1] == "set" {
		return runWorldlineProduct(ctx, args[2:], stdout)
	}
	if len(args) < 2 || args[0] != "key" || args[1] != "create" {
		return fmt.Errorf("%w: expected `kund worldline key create` or `kund worldline product set`", errUsage)
	}
	fs := flag.NewFlagSet("worldline key create", flag.ContinueOnError)
	db := addStoreFlags(fs)
	ledger := fs.String("ledger", "", "ledger number (the merchantId) the key is bound to")
	pos, err := parseFlags(fs, args[2:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: worldline key create takes no arguments", errUsage)
	}
	return withKund(ctx, db, func(k *app.Kund) error {
		key, err := worldline.CreateKey(ctx, k.Service, k.Store, *ledger)
		if err != nil {
			return describe(err)
		}
		return json.NewEncoder(stdout).Encode(map[string]string{"apiKeyId": key.ID, "secretApiKey": key.Secret})
	})
}

// runWorldlineProduct is `kund worldline product set`: it configures a
// lookup product of a ledger with its countries (none removes it).
func runWorldlineProduct(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("worldline product set", flag.ContinueOnError)
	db := addStoreFlags(fs)
	ledger := fs.String("ledger", "", "ledger number (the merchantId)")
	product := fs.Int("product", worldline.LookupProductID, "payment product id")
	countries := fs.String("countries", "", "comma-separated countries that look up (SE,NO,DK,FI); empty removes the product")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: worldline product set takes no arguments", errUsage)
	}
	var list []string
	for _, c := range strings.Split(*countries, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			list = append(list, c)
		}
	}
	return withKund(ctx, db, func(k *app.Kund) error {
		if err := worldline.SetProduct(ctx, k.Service, k.Store, *ledger, *product, list); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "ledger %s: product %d looks up in %q\n", *ledger, *product, list)
		return nil
	})
}
