package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/kund/kund/internal/keyring"
)

// runKeys is `kund keys create FILE`: a new secret key file (mode 0600)
// for --secret-key-file, which every Kund process on one PostgreSQL
// database must share. An existing file is never replaced.
func runKeys(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: expected `kund keys create FILE`", errUsage)
	}
	fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: keys create takes exactly one FILE", errUsage)
	}
	if _, created, err := keyring.LoadOrCreate(pos[0]); err != nil {
		return err
	} else if !created {
		return fmt.Errorf("%s exists already; it is kept as it is", pos[0])
	}
	fmt.Fprintf(stdout, "%s: a new secret key; back it up, apart from the database's backups\n", pos[0])
	return nil
}
