package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kund/kund/internal/register"
)

// runRegister runs `kund register generate`.
func runRegister(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return fmt.Errorf("%w: register takes the subcommand generate", errUsage)
	}
	fs := flag.NewFlagSet("register generate", flag.ContinueOnError)
	country := fs.String("country", "SE", "SE, NO, DK or FI")
	count := fs.Int("count", 100, "number of persons")
	seed := fs.Uint64("seed", 0, "random seed; 0 draws one from the clock")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: register generate takes no arguments", errUsage)
	}
	if *count < 0 {
		return fmt.Errorf("%w: --count must be 0 or more", errUsage)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	if err := register.Generate(stdout, register.GenerateOptions{Country: *country, Count: *count, Seed: *seed}); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}
