package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
	"github.com/kund/kund/internal/events"
	"github.com/kund/kund/internal/operator"
	"github.com/kund/kund/internal/register"
)

const demoLedger = "DEMO"

// demoCustomers are the demo ledger's customers. Tolvan Tolvansson's
// number is Skatteverket's published test personnummer.
var demoCustomers = []customer.NewCustomer{
	{
		CustomerNo: "1001", Name: "Tolvan Tolvansson", Email: "tolvan@example.se", MSISDN: "+46701234567",
		PreferredLanguage: "SV", NationalID: &customer.NationalIDInput{RegNo: "19121212-1212", CountryCode: "SE"},
		LegalAddress: &customer.AddressInput{Addressee: "Tolvan Tolvansson", StreetAddress: "Storgatan 12",
			City: "STOCKHOLM", ZipCode: "111 22", CountryCode: "SE"},
		BillingAddress: &customer.AddressInput{Addressee: "Tolvan Tolvansson", StreetAddress: "Box 1212",
			City: "STOCKHOLM", ZipCode: "103 12", CountryCode: "SE"},
	},
	{
		CustomerNo: "1002", Name: "Britt-Marie Axelstopp", Email: "britt@example.se", MSISDN: "+46709876543",
		NationalID: &customer.NationalIDInput{RegNo: "198112189876", CountryCode: "SE"},
		LegalAddress: &customer.AddressInput{Addressee: "Britt-Marie Axelstopp", StreetAddress: "The street 18",
			CoAddress: "c/o Jansson", City: "STOCKHOLM", ZipCode: "15961", CountryCode: "SE"},
	},
	{
		CustomerNo: "1003", Name: "Axelstopp Bygg AB", LegalEntity: customer.Business, VATNo: "SE556016068001",
		Email: "faktura@example.se", NationalID: &customer.NationalIDInput{RegNo: "556016-0680", CountryCode: "SE"},
		LegalAddress: &customer.AddressInput{Addressee: "Axelstopp Bygg AB", StreetAddress: "Industrivägen 4",
			City: "GÖTEBORG", ZipCode: "41104", CountryCode: "SE"},
	},
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (a free port is taken if it is busy)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: demo takes no arguments", errUsage)
	}
	dir, err := os.MkdirTemp("", "kund-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "kund.db")
	rc, err := startDemoReceiver(stdout)
	if err != nil {
		return err
	}
	defer rc.srv.Close()
	token, hook, password, err := seedDemo(ctx, db, rc.url+"/events")
	if err != nil {
		return err
	}
	rc.secret.Store(&hook.Secret)

	persons, regNo, err := demoRegister(dir)
	if err != nil {
		return err
	}

	m := &Main{Config: Config{Addr: *addr, DB: db, RegisterFile: persons, Limits: edge.DefaultLimits(), CardGateway: "sandbox",
		DisclosureRetention: DefaultDisclosureRetention, WebhooksAllowInsecure: true}, Log: slog.New(slog.NewJSONHandler(stderr, nil))}
	if err := m.Open(ctx); err != nil {
		m.Config.Addr = "127.0.0.1:0"
		if err := m.Open(ctx); err != nil {
			return err
		}
	}
	defer m.Close()

	base := "http://" + m.Addr() + "/ledger/customer/v1/" + demoLedger
	auth := fmt.Sprintf("-H 'Authorization: Bearer %s'", token)
	fmt.Fprintf(stdout, `Kund demo: ledger %s with %d customers, data in %s

Token (ledger %s, all scopes):
  %s

Try:
  curl -s %s %s/customers/1001
  curl -s %s '%s/customers/1001?$expand=legaladdress,billingaddress'
  curl -s %s -H 'Content-Type: application/json' -d '{"nationalIdentifier":{"regNo":"19121212-1212","countryCode":"SE"}}' %s/find-customer

The synthetic population register %s holds %d Swedish persons:
  curl -s %s -H 'Content-Type: application/json' -d '{"nationalIdentifier":{"regNo":"%s","countryCode":"SE"},"customerNo":"2001"}' %s/generate-consumer-customer-by-reg-no
  curl -s %s %s/register-lookups

Webhook %s sends every event of the ledger to a receiver of the demo's own, at %s/events,
which checks each Kund-Signature and prints a line below for each delivery. Change something:
  curl -s %s -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"emailAddress":"tolvan@example.com"}' %s/customers/1001
  curl -s %s %s/webhooks/%s/deliveries
  curl -s %s/
The journal itself:
  curl -s %s '%s/events?after=0&take=10'

The back-office console, for the people who handle customers:
  http://%s/console/
  sign in as %s (admin of ledger %s) with the password %s

Stop with Ctrl-C.
`, demoLedger, len(demoCustomers), dir, demoLedger, token, auth, base, auth, base, auth, base,
		persons, demoPersons, auth, regNo, base, auth, base,
		customer.WebhookID(hook.ID), rc.url, auth, base, auth, base, customer.WebhookID(hook.ID), rc.url, auth, base,
		m.Addr(), demoOperator, demoLedger, password)
	return m.Run(ctx)
}

// demoReceiver is the demo's webhook receiver: it checks the signature of
// each delivery, prints a line for it and keeps the last ones for GET /.
type demoReceiver struct {
	srv    *http.Server
	url    string
	secret atomic.Pointer[string]
	mu     sync.Mutex
	out    io.Writer
	last   []demoDelivery
}

type demoDelivery struct {
	EventID    string `json:"eventId"`
	Type       string `json:"type"`
	CustomerNo string `json:"customerNo"`
	Signature  string `json:"signature"`
	Received   string `json:"receivedAt"`
}

func startDemoReceiver(out io.Writer) (*demoReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &demoReceiver{url: "http://" + ln.Addr().String(), out: out, last: []demoDelivery{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /events", rc.receive)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"deliveries": rc.last})
	})
	rc.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go rc.srv.Serve(ln)
	return rc, nil
}

func (rc *demoReceiver) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	d := demoDelivery{EventID: r.Header.Get("Kund-Event-Id"), Type: r.Header.Get("Kund-Event-Type"), Signature: "ok",
		Received: time.Now().UTC().Format(time.RFC3339Nano)}
	var ev struct {
		CustomerNo string `json:"customerNo"`
	}
	json.Unmarshal(body, &ev)
	d.CustomerNo = ev.CustomerNo
	secret := rc.secret.Load()
	if secret == nil || events.Verify(*secret, r.Header.Get(events.SignatureHeader), body, time.Now(), 5*time.Minute) != nil {
		d.Signature = "INVALID"
		w.WriteHeader(http.StatusUnauthorized) // Kund tries again; a real receiver drops it
	}
	rc.mu.Lock()
	rc.last = append(rc.last, d)
	if len(rc.last) > 100 {
		rc.last = rc.last[1:]
	}
	fmt.Fprintf(rc.out, "webhook: %s %s of customer %s, signature %s\n", d.EventID, d.Type, d.CustomerNo, d.Signature)
	rc.mu.Unlock()
}

// demoOperator is the console's operator of the demo.
const demoOperator = "demo"

// seedDemo creates the demo ledger, its webhook to receiver, its
// customers and an admin of the console, and returns a token with every
// scope, the webhook and the admin's password.
func seedDemo(ctx context.Context, db, receiver string) (string, *customer.Webhook, string, error) {
	store, err := app.OpenStore(ctx, db, "")
	if err != nil {
		return "", nil, "", err
	}
	defer store.Close()
	k := app.New(store, app.Config{Webhooks: app.WebhookConfig{AllowInsecure: true}})
	if err := k.Service.CreateLedger(ctx, &customer.Ledger{No: demoLedger, Country: "SE"}); err != nil {
		return "", nil, "", describe(err)
	}
	hook, err := k.Service.CreateWebhook(ctx, demoLedger, receiver, []string{customer.AllEvents}, "kund demo receiver")
	if err != nil {
		return "", nil, "", describe(err)
	}
	for i := range demoCustomers {
		if _, err := k.Service.CreateCustomer(ctx, demoLedger, &demoCustomers[i]); err != nil {
			return "", nil, "", fmt.Errorf("demo customer %s: %w", demoCustomers[i].CustomerNo, describe(err))
		}
	}
	tok, err := k.CreateToken(ctx, demoLedger, []customer.Scope{customer.ScopeAll}, 0)
	if err != nil {
		return "", nil, "", err
	}
	password := rand.Text()[:16] // a fresh one each run: the demo listens on a port others may reach
	hash, err := operator.HashPassword(password)
	if err != nil {
		return "", nil, "", err
	}
	now := time.Now().UTC()
	ops, ok := store.(operator.Store)
	if !ok {
		return "", nil, "", fmt.Errorf("this store keeps no operators")
	}
	if err := ops.CreateOperator(ctx, &operator.Operator{Name: demoOperator, Role: operator.Admin, Ledgers: []string{demoLedger},
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}); err != nil {
		return "", nil, "", describe(err)
	}
	return tok, hook, password, nil
}

// demoPersons is the size of the demo's synthetic register.
const demoPersons = 1000

// demoRegister writes the demo's synthetic register into dir and returns
// its path and the number of an ordinary person in it (living, not
// protected) for the printed example.
func demoRegister(dir string) (path, regNo string, err error) {
	var buf bytes.Buffer
	if err := register.Generate(&buf, register.GenerateOptions{Country: "SE", Count: demoPersons, Seed: 1}); err != nil {
		return "", "", err
	}
	for _, row := range strings.Split(buf.String(), "\n")[1:] {
		f := strings.Split(row, ",")
		if len(f) == len(register.Header) && f[8] == "false" && f[9] == "false" {
			regNo = f[1]
			break
		}
	}
	path = filepath.Join(dir, "persons.csv")
	return path, regNo, os.WriteFile(path, buf.Bytes(), 0o600)
}
