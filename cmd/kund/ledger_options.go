package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
)

// ledgerFlags are the ledger options that `ledger create` and `ledger
// update` share.
type ledgerFlags struct {
	kycFile        *string
	renewalDays    *int
	disbursements  *bool
	sessionLookups *int
	sessionTTL     *time.Duration
	eventDays      *int
	monitoring     *string
}

func ledgerOptionFlags(fs *flag.FlagSet) *ledgerFlags {
	return &ledgerFlags{
		kycFile:        fs.String("kyc-questions", "", "KYC questions `FILE` (JSON); \"none\" removes them (update)"),
		renewalDays:    fs.Int("kyc-renewal-days", 0, "days after which KYC answers are due again (0: never)"),
		disbursements:  fs.Bool("disbursements", false, "allow disbursement orders on surpluses; --disbursements=false forbids them (update)"),
		sessionLookups: fs.Int("session-lookups", 0, fmt.Sprintf("lookup units one Worldline client session may spend, a hit 1, a miss %d (0: %d)", customer.LookupMissCost, customer.DefaultSessionLookups)),
		sessionTTL:     fs.Duration("session-ttl", 0, fmt.Sprintf("lifetime of a Worldline client session, at most 2h (0: %v)", customer.DefaultSessionTTL)),
		eventDays:      fs.Int("event-retention-days", 0, fmt.Sprintf("days the change journal keeps an event, at most 3650 (0: %d)", int(customer.DefaultEventRetention/(24*time.Hour)))),
		monitoring:     fs.String("register-monitoring", "off", "`on|off`: keep the customers in step with the population register's change feed"),
	}
}

// read returns the options given (on the command line or in KUND_*
// variables); options not given stay nil.
func (f *ledgerFlags) read(fs *flag.FlagSet) (customer.LedgerOptions, error) {
	var o customer.LedgerOptions
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, name := range []string{"kyc-questions", "kyc-renewal-days", "disbursements", "session-lookups", "session-ttl", "event-retention-days", "register-monitoring"} {
		// parseFlags fills flags from KUND_* variables without marking
		// them as set.
		if _, ok := os.LookupEnv(envName(name)); ok {
			set[name] = true
		}
	}
	if set["disbursements"] {
		o.Disbursements = f.disbursements
	}
	if set["kyc-renewal-days"] {
		if *f.renewalDays < 0 {
			return o, fmt.Errorf("%w: --kyc-renewal-days must not be negative", errUsage)
		}
		o.KYCRenewalDays = f.renewalDays
	}
	if set["session-lookups"] {
		o.SessionLookups = f.sessionLookups
	}
	if set["session-ttl"] {
		o.SessionTTL = f.sessionTTL
	}
	if set["event-retention-days"] {
		o.EventRetentionDays = f.eventDays
	}
	if set["register-monitoring"] {
		on, ok := map[string]bool{"on": true, "off": false}[*f.monitoring]
		if !ok {
			return o, fmt.Errorf("%w: --register-monitoring must be on or off", errUsage)
		}
		o.RegisterMonitoring = &on
	}
	switch {
	case !set["kyc-questions"]:
	case *f.kycFile == "none":
		o.ClearKYC = true
	default:
		data, err := os.ReadFile(*f.kycFile)
		if err != nil {
			return o, fmt.Errorf("--kyc-questions: %w", err)
		}
		qs, err := customer.ParseKYCQuestions(data)
		if err != nil {
			return o, fmt.Errorf("--kyc-questions %s: %w", *f.kycFile, describe(err))
		}
		o.KYCQuestions = qs
	}
	return o, nil
}

// applyOptions sets the options of a ledger about to be created.
func applyOptions(o customer.LedgerOptions, l *customer.Ledger) {
	o.Apply(l)
	l.KYCQuestions = o.KYCQuestions
}

func runLedgerUpdate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ledger update", flag.ContinueOnError)
	db := addStoreFlags(fs)
	opts := ledgerOptionFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: ledger update takes exactly one LEDGERNO", errUsage)
	}
	o, err := opts.read(fs)
	if err != nil {
		return err
	}
	return withKund(ctx, db, func(k *app.Kund) error {
		l, err := k.Service.UpdateLedger(ctx, pos[0], o)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "ledger %s updated (%d KYC questions, KYC renewal after %d days, disbursements %t, client sessions of %d lookup units for %v, events kept %d days, register monitoring %s)\n",
			l.No, len(l.KYCQuestions), l.KYCRenewalDays, l.Disbursements, l.SessionQuota(), l.SessionLifetime(), int(l.EventRetention()/(24*time.Hour)),
			onOff(l.RegisterMonitoring))
		return nil
	})
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
