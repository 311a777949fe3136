// Command kund is a self-hosted customer registry for Nordic payment and
// invoicing ledgers. See README.md for the command-line contract.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

const usage = `usage:
  kund serve   --addr 127.0.0.1:8080 --db kund.db [--public-url URL]
               [--register-file persons.csv | --register-url URL [--register-timeout 2s] [--register-cache-ttl 1m]] [--register-poll 10s]
               [--events-nats nats://HOST:PORT] [--webhooks-allow-insecure]
  kund migrate --db DB
  kund ledger create LEDGERNO --db DB --country SE|NO|DK|FI [--customer-numbers client|generated]
               [--kyc-questions FILE.json] [--kyc-renewal-days N] [--disbursements]
  kund ledger update LEDGERNO --db DB [--kyc-questions FILE.json|none] [--kyc-renewal-days N] [--disbursements=true|false]
               [--register-monitoring on|off]
  kund token create --db DB --ledger LEDGERNO --scope SCOPE [--scope SCOPE ...] [--ttl DURATION] [--rate-limit N]
  kund token revoke --db DB TOKENID
  kund operator create NAME --db DB --role viewer|agent|admin --ledger LEDGERNO [--ledger LEDGERNO ...] < password
  kund operator list --db DB
  kund operator disable NAME --db DB
  kund operator reset-password NAME --db DB < password
  kund worldline key create --db DB --ledger LEDGERNO
  kund worldline product set --db DB --ledger LEDGERNO --product 9000 --countries SE,NO,DK,FI
  kund payway client create --db DB --ledger LEDGERNO --scope /external/account/r
  kund webhook create --db DB --ledger LEDGERNO --url URL [--event TYPE ...] [--description TEXT]
  kund demo    [--addr 127.0.0.1:8080]
  kund register generate --country SE|NO|DK|FI --count N [--seed N] > persons.csv
  kund register refresh --db DB --ledger LEDGERNO [--older-than 720h] [--rate 10]
               (--register-file persons.csv | --register-url URL)
  kund crashtest [--db postgres://SCRATCH] [--rounds 10] [--seconds 3] [--workers 8] [--dir DIR]
  kund import  --db DB --ledger LEDGERNO [--format ndjson|csv] [--strict] [--batch 100000] [--progress 2s] FILE
  kund export  --db DB --ledger LEDGERNO [FILE]
  kund keys create FILE          # Kund's secret key for --secret-key-file (required with PostgreSQL)
  kund keys rotate [flags]       # a new key; every sealed value moved to it while Kund serves
  kund keys retire VERSION       # drops a key nothing is sealed under any more
  kund bench   [--db FILE|URL] [--n 1000000] [--reuse] [--warmup 2s] [--duration 5s] [--rounds 2] [--concurrency 64]
               [--scenarios get,get-expand,find,create,patch,mixed,webhooks] [--json FILE]
  kund version                   # the module version and VCS revision of this binary

kund COMMAND -h (or kund help COMMAND) prints every flag of COMMAND with its
default and its environment variable.

Every command that opens the database takes --secret-key-file (Kund's
secret key, which seals secrets at rest; beside a SQLite file it defaults to
DB.key, created when missing). Every flag can also be given as an environment
variable: --db as KUND_DB, --secret-key-file as KUND_SECRET_KEY_FILE, and so on.
`

// errUsage marks a mistake on the command line (exit status 2).
var errUsage = errors.New("usage")

// usageError is a mistake on the command line of one command (or group of
// commands, such as "ledger"), which names the help of that command.
type usageError struct {
	cmd string
	err error // wraps errUsage
}

func (e *usageError) Error() string {
	return fmt.Sprintf("kund %s: %s (see kund %s -h)", e.cmd, reason(e.err), e.cmd)
}

func (e *usageError) Unwrap() error { return e.err }

// reason is the text of a usage error without its errUsage mark.
func reason(err error) string { return strings.TrimPrefix(err.Error(), errUsage.Error()+": ") }

// helpError carries the help a command was asked for (-h) from parseFlags
// up to run, which prints it on standard output.
type helpError struct{ text string }

func (e *helpError) Error() string { return e.text }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	endProfile := startProfile()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	endProfile()
	stop()
	var cmdErr *usageError
	switch {
	case errors.As(err, &cmdErr):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "kund:", reason(err))
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "kund:", err)
		os.Exit(1)
	}
}

// run runs the command args name. `kund help COMMAND` is `kund COMMAND -h`;
// `kund GROUP -h` lists the commands of a group such as "ledger". A usage
// error of a known command comes back as a *usageError naming it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[0] == "help" {
		args = append(slices.Clone(args[1:]), "-h")
	}
	name, words, group := commandName(args)
	if group && len(args) > words && isHelpFlag(args[words]) {
		_, err := fmt.Fprint(stdout, groupHelp(name))
		return err
	}
	err := dispatch(ctx, args, stdout, stderr)
	var help *helpError
	switch {
	case errors.As(err, &help):
		_, err = fmt.Fprint(stdout, help.text)
		return err
	case name != "" && errors.Is(err, errUsage):
		return &usageError{cmd: name, err: err}
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, stderr)
	case "migrate":
		return runMigrate(ctx, args, stdout)
	case "ledger":
		return runLedger(ctx, args, stdout)
	case "token":
		return runToken(ctx, args, stdout)
	case "operator":
		return runOperator(ctx, args, os.Stdin, stdout)
	case "worldline":
		return runWorldline(ctx, args, stdout)
	case "payway":
		return runPayway(ctx, args, stdout)
	case "webhook":
		return runWebhook(ctx, args, stdout)
	case "demo":
		return runDemo(ctx, args, stdout, stderr)
	case "register":
		return runRegister(ctx, args, stdout, stderr)
	case "crashtest":
		return runCrashTest(ctx, args, stdout)
	case "import":
		return runImport(ctx, args, stdout, stderr)
	case "export":
		return runExport(ctx, args, stdout, stderr)
	case "bench":
		return runBench(ctx, args, stdout, stderr)
	case "keys":
		return runKeys(ctx, args, stdout, stderr)
	case "version":
		return runVersion(args, stdout)
	case "", "help", "-h", "-help", "--help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// isHelpFlag says whether arg asks for help as the flag package
// understands it.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

// parseFlags parses args with positional arguments allowed anywhere
// (`kund ledger create L --db x`), then fills every flag not given on the
// command line from its KUND_* environment variable. It returns the
// positional arguments. For -h it returns a *helpError with the command's
// help (commandHelp), which run prints.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, &helpError{commandHelp(fs)}
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := envName(f.Name)
		v, ok := os.LookupEnv(env)
		if !ok {
			return
		}
		if _, repeated := f.Value.(*listFlag); repeated {
			for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
				if err = f.Value.Set(item); err != nil {
					break
				}
			}
		} else {
			err = f.Value.Set(v)
		}
		if err != nil {
			err = fmt.Errorf("%w: invalid value %q of %s for --%s: %v", errUsage, v, env, f.Name, err)
		}
	})
	return pos, err
}

// envName is the environment variable of the flag name: KUND_ and the
// name in capitals with - as _.
func envName(name string) string {
	return "KUND_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
