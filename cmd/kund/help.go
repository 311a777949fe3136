package main

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// command is one command of the command line as its help shows it. The
// flags are not listed here: the help reads them from the command's
// FlagSet, whose name is the command's name.
type command struct {
	name  string // the words that call it
	args  string // what follows the name in its usage line
	about string // one sentence on what it does
}

// commands are every command, in the order of the global usage.
var commands = []command{
	{"serve", "[flags]", "Serves the native API and every compatibility dialect until SIGTERM or Ctrl-C, when the requests in flight finish."},
	{"migrate", "[flags]", "Creates the database or brings its schema up to date, then exits."},
	{"ledger create", "LEDGERNO [flags]", "Creates a ledger (1-20 characters of A-Z, a-z, 0-9 and -)."},
	{"ledger update", "LEDGERNO [flags]", "Changes the options of a ledger that are given and keeps the others."},
	{"token create", "[flags]", "Creates a bearer token of one ledger with the scopes given and prints only the token."},
	{"token revoke", "TOKENID [flags]", "Revokes a token; TOKENID is the part of the token between its two dots."},
	{"operator create", "NAME [flags] < password", "Creates an operator of the back-office console with a role and the ledgers it sees; the first line of standard input is its password (at least 12 characters)."},
	{"operator list", "[flags]", "Lists the console's operators: name, role, ledgers and whether disabled."},
	{"operator disable", "NAME [flags]", "Disables an operator: it can no longer sign in, and its sessions end."},
	{"operator reset-password", "NAME [flags] < password", "Gives an operator the password on the first line of standard input and ends its sessions."},
	{"worldline key create", "[flags]", `Creates a Worldline Connect API key of a ledger and prints {"apiKeyId":..,"secretApiKey":..}.`},
	{"worldline product set", "[flags]", "Sets the countries a ledger's Worldline lookup product looks up in; no countries removes it."},
	{"payway client create", "[flags]", `Creates a Tulo Payway client of a ledger and prints {"clientId":..,"clientSecret":..}.`},
	{"webhook create", "[flags]", `Creates a webhook of a ledger, which receives its events, and prints {"webhookId":..,"secret":..}.`},
	{"demo", "[flags]", "Serves a demo ledger and a synthetic register from a temporary directory and prints a token and curl commands to try."},
	{"register generate", "[flags] > persons.csv", "Writes a synthetic population register, as the CSV file --register-file reads, to standard output."},
	{"register refresh", "[flags]", "Checks the legal addresses of a ledger's consumers that the register has not confirmed lately against the register, with progress on stderr; resumable."},
	{"crashtest", "[flags]", "Kills kund serve with SIGKILL under a write load, round after round, and checks that every acknowledged write is kept."},
	{"import", "FILE [flags]", "Imports customers into a ledger from an NDJSON or CSV file (- for standard input); see docs/bulk.md."},
	{"export", "[FILE] [flags]", "Exports the customers of a ledger as NDJSON to FILE or to standard output."},
	{"bench", "[flags]", "Measures Kund's throughput and latency against a bare net/http server; see docs/performance.md."},
	{"keys create", "FILE", "Writes a new secret key for --secret-key-file to FILE (mode 0600); an existing file is kept."},
	{"keys rotate", "[flags]", "Adds a new key to the key file and seals every value again under it, while Kund serves; --resume continues an interrupted rotation."},
	{"keys retire", "VERSION [flags]", "Removes a key version from the key file once the database holds nothing sealed under it."},
	{"version", "", "Prints the module version and VCS revision this binary was built from, and its Go version."},
}

// lookupCommand is the command called name.
func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// commandName finds the command that the first words of args call. It
// returns its name and number of words, or, when the words only begin
// commands ("ledger", "worldline key"), the group's name with group set;
// "" when the first word calls nothing.
func commandName(args []string) (name string, words int, group bool) {
	for i := 1; i <= len(args); i++ {
		prefix := strings.Join(args[:i], " ")
		if _, ok := lookupCommand(prefix); ok {
			return prefix, i, false
		}
		begins := false
		for _, c := range commands {
			begins = begins || strings.HasPrefix(c.name, prefix+" ")
		}
		if !begins {
			break
		}
		name, words, group = prefix, i, true
	}
	return name, words, group
}

// groupHelp lists the commands of a group (`kund ledger -h`).
func groupHelp(group string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: kund %s COMMAND ...\n\n", group)
	for _, c := range commands {
		if strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(&b, "  kund %s %s\n", c.name, c.args)
			for _, l := range wrap(c.about, helpWidth-6) {
				fmt.Fprintf(&b, "      %s\n", l)
			}
		}
	}
	fmt.Fprintf(&b, "\nkund %s COMMAND -h prints the flags of a command.\n", group)
	return b.String()
}

// helpWidth is the width of the help text.
const helpWidth = 100

// commandHelp is the help of the command whose flags are fs: its usage
// line, what it does, and each flag with its usage, default and
// environment variable, as parseFlags reads them.
func commandHelp(fs *flag.FlagSet) string {
	var b strings.Builder
	c, _ := lookupCommand(fs.Name())
	fmt.Fprintf(&b, "usage: %s\n", strings.TrimSpace("kund "+fs.Name()+" "+c.args))
	if c.about != "" {
		b.WriteString("\n")
		for _, l := range wrap(c.about, helpWidth) {
			b.WriteString(l + "\n")
		}
	}
	type entry struct{ flag, text string }
	var entries []entry
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flagName(f)
		var notes []string
		if d := defaultValue(f); d != "" {
			// \x00 keeps "default" and its value on one line.
			notes = append(notes, "default\x00"+d)
		}
		_, repeated := f.Value.(*listFlag)
		env := envName(f.Name)
		switch {
		case strings.Contains(usage, env):
			// The usage says itself how the flag treats its variable.
		case repeated:
			notes = append(notes, "repeatable", env+" takes a comma-separated list")
		default:
			notes = append(notes, env)
		}
		text := usage
		if len(notes) > 0 {
			text += " (" + strings.Join(notes, "; ") + ")"
		}
		entries = append(entries, entry{name, text})
		width = max(width, len(name))
	})
	if len(entries) == 0 {
		return b.String()
	}
	b.WriteString("\nFlags (each also read from the environment variable shown; the command line wins):\n")
	indent := 2 + width + 2
	for _, e := range entries {
		for i, l := range wrap(e.text, helpWidth-indent) {
			left := ""
			if i == 0 {
				left = e.flag
			}
			fmt.Fprintf(&b, "  %-*s  %s\n", width, left, strings.ReplaceAll(l, "\x00", " "))
		}
	}
	return b.String()
}

// flagName is how the help shows a flag, "--name PLACEHOLDER", and its
// usage text. The placeholder is the usage's `quoted` word, else N for a
// number, DURATION for a duration, and the flag name's last word in
// capitals for the rest; a bool flag has none.
func flagName(f *flag.Flag) (name, usage string) {
	placeholder, usage := flag.UnquoteUsage(f)
	switch placeholder {
	case "":
	case "int", "uint", "float":
		placeholder = "N"
	case "duration":
		placeholder = "DURATION"
	case "string", "value":
		words := strings.Split(f.Name, "-")
		placeholder = strings.ToUpper(words[len(words)-1])
	}
	name = "--" + f.Name
	if placeholder != "" {
		name += " " + placeholder
	}
	return name, usage
}

// defaultValue is a flag's default as the help shows it: "" for the zero
// value of its type, a duration without trailing zero units ("1m", not
// "1m0s").
func defaultValue(f *flag.Flag) string {
	switch f.DefValue {
	case "", "0", "false", "0s":
		return ""
	}
	if g, ok := f.Value.(flag.Getter); ok {
		if d, ok := g.Get().(time.Duration); ok {
			s := strings.TrimSuffix(d.String(), "m0s")
			if s != d.String() {
				s += "m"
			}
			if t := strings.TrimSuffix(s, "h0m"); t != s {
				s = t + "h"
			}
			return s
		}
	}
	return f.DefValue
}

// wrap breaks text at spaces into lines of at most width characters (a
// longer word gets a line of its own).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return append(lines, line)
}
