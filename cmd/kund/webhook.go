package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/events"
)

// runWebhook is `kund webhook create`: it prints the new webhook's id and
// secret as JSON, once.
func runWebhook(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) < 1 || args[0] != "create" {
		return fmt.Errorf("%w: expected `kund webhook create`", errUsage)
	}
	fs := flag.NewFlagSet("webhook create", flag.ContinueOnError)
	db := addStoreFlags(fs)
	ledger := fs.String("ledger", "", "ledger number whose events the webhook receives")
	url := fs.String("url", "", "https:// URL the events are POSTed to")
	description := fs.String("description", "", "what the webhook is for")
	insecure := fs.Bool("webhooks-allow-insecure", false, "allow an http:// URL and loopback or private addresses (tests, development; kund serve needs the same flag to send there)")
	var types listFlag
	fs.Var(&types, "event", "an event type the webhook receives, or customer.* for all (default customer.*)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: webhook create takes no arguments", errUsage)
	}
	if len(types) == 0 {
		types = listFlag{customer.AllEvents}
	}
	store, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := customer.NewService(store, nil)
	svc.UseWebhookURLCheck(events.CheckURL(*insecure))
	w, err := svc.CreateWebhook(ctx, *ledger, *url, types, *description)
	if err != nil {
		return describe(err)
	}
	return json.NewEncoder(stdout).Encode(map[string]string{"webhookId": customer.WebhookID(w.ID), "secret": w.Secret})
}
