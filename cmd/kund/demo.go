package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
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
	token, err := seedDemo(ctx, db)
	if err != nil {
		return err
	}

	persons, regNo, err := demoRegister(dir)
	if err != nil {
		return err
	}

	m := &Main{Config: Config{Addr: *addr, DB: db, RegisterFile: persons, Limits: edge.DefaultLimits(), CardGateway: "sandbox",
		DisclosureRetention: DefaultDisclosureRetention}, Log: slog.New(slog.NewJSONHandler(stderr, nil))}
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

Stop with Ctrl-C.
`, demoLedger, len(demoCustomers), dir, demoLedger, token, auth, base, auth, base, auth, base,
		persons, demoPersons, auth, regNo, base, auth, base)
	return m.Run(ctx)
}

// seedDemo creates the demo ledger and its customers and returns a token
// with every scope.
func seedDemo(ctx context.Context, db string) (string, error) {
	store, err := app.OpenStore(ctx, db, "")
	if err != nil {
		return "", err
	}
	defer store.Close()
	k := app.New(store, app.Config{})
	if err := k.Service.CreateLedger(ctx, &customer.Ledger{No: demoLedger, Country: "SE"}); err != nil {
		return "", describe(err)
	}
	for i := range demoCustomers {
		if _, err := k.Service.CreateCustomer(ctx, demoLedger, &demoCustomers[i]); err != nil {
			return "", fmt.Errorf("demo customer %s: %w", demoCustomers[i].CustomerNo, describe(err))
		}
	}
	return k.CreateToken(ctx, demoLedger, []customer.Scope{customer.ScopeAll}, 0)
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
