package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/sqlstore"
)

// runKeys is `kund keys create|rotate|retire`: Kund's secret key, which
// seals what is encrypted at rest (docs/privacy.md).
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: expected `kund keys create FILE`, `kund keys rotate` or `kund keys retire VERSION`", errUsage)
	}
	switch args[0] {
	case "create":
		return runKeysCreate(args[1:], stdout)
	case "rotate":
		return runKeysRotate(ctx, args[1:], stdout, stderr)
	case "retire":
		return runKeysRetire(ctx, args[1:], stdout)
	}
	return fmt.Errorf("%w: unknown keys command %q", errUsage, args[0])
}

// runKeysCreate is `kund keys create FILE`: a new secret key file (mode
// 0600) for --secret-key-file, which every Kund process on one PostgreSQL
// database must share. An existing file is never replaced.
func runKeysCreate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
	pos, err := parseFlags(fs, args)
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

// rotationSettles is how long after a new key is added every serving Kund
// seals under it: each looks at its key file every second.
const rotationSettles = 3 * time.Second

// resealer is what a rotation needs of the store.
type resealer interface {
	Reseal(ctx context.Context, progress sqlstore.Progress) (int64, error)
	SealedVersions(ctx context.Context) (map[uint32]int64, error)
}

// openResealer opens the database of f for a rotation.
func openResealer(ctx context.Context, f storeFlags) (resealer, func() error, error) {
	store, err := f.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, ok := store.(resealer)
	if !ok {
		store.Close()
		return nil, nil, fmt.Errorf("this store cannot rotate keys")
	}
	return r, store.Close, nil
}

// keyFileOf is the key file a command uses: --secret-key-file, or DB.key
// beside a SQLite file.
func keyFileOf(f storeFlags) (string, error) {
	switch {
	case *f.keyFile != "":
		return *f.keyFile, nil
	case *f.db == "":
		return "", fmt.Errorf("%w: no database given (--db or KUND_DB)", errUsage)
	case app.IsPostgres(*f.db):
		return "", fmt.Errorf("%w: --secret-key-file is required with PostgreSQL", errUsage)
	}
	return *f.db + ".key", nil
}

// runKeysRotate is `kund keys rotate`: a new key is added to the key file,
// and every value sealed under an older one is sealed again under it,
// while Kund serves. --resume continues an interrupted rotation without
// adding another key.
func runKeysRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	f := addStoreFlags(fs)
	resume := fs.Bool("resume", false, "continue a rotation: seal again under the newest key without adding one")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("%w: keys rotate takes no arguments", errUsage)
	}
	path, err := keyFileOf(f)
	if err != nil {
		return err
	}
	added := time.Now()
	if !*resume {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("%s: %w (there is no key to rotate)", path, err)
		}
		v, err := keyring.AddKey(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "kund: added key v%d to %s; copy the file to every Kund process of this database now\n", v, path)
	}
	r, closeStore, err := openResealer(ctx, f)
	if err != nil {
		return err
	}
	defer closeStore()
	progress := app.SealProgress(stderr, "sealing again")
	var moved int64
	// Passes until one finds nothing to move once every Kund seals under
	// the new key: what a Kund sealed under the old key before it read
	// the new file is moved by a later pass.
	for pass := 1; ; pass++ {
		n, err := r.Reseal(ctx, progress)
		moved += n
		if err != nil {
			return fmt.Errorf("rotation stopped (run `kund keys rotate --resume` to continue): %w", err)
		}
		if n == 0 && time.Since(added) > rotationSettles {
			break
		}
		if pass == 20 {
			return fmt.Errorf("values under older keys keep appearing: is a Kund running with a copy of the key file without the new key? run `kund keys rotate --resume` once it has it")
		}
		if wait := rotationSettles - time.Since(added); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	counts, err := r.SealedVersions(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sealed again: %d values; the database holds %s\n", moved, describeVersions(counts))
	return nil
}

// runKeysRetire is `kund keys retire VERSION`: removes a key from the key
// file once the database holds nothing sealed under it.
func runKeysRetire(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys retire", flag.ContinueOnError)
	f := addStoreFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: keys retire takes exactly one VERSION (v1, or 1)", errUsage)
	}
	v64, err := strconv.ParseUint(strings.TrimPrefix(pos[0], "v"), 10, 32)
	if err != nil || v64 == 0 {
		return fmt.Errorf("%w: %q is not a key version such as v1", errUsage, pos[0])
	}
	v := uint32(v64)
	path, err := keyFileOf(f)
	if err != nil {
		return err
	}
	keys, err := keyring.Load(path)
	if err != nil {
		return err
	}
	if vs := keys.Versions(); !slices.Contains(vs, v) {
		return fmt.Errorf("%s has no key v%d", path, v)
	} else if v == vs[len(vs)-1] {
		return fmt.Errorf("v%d is the key that seals; rotate to a newer one first (kund keys rotate)", v)
	}
	r, closeStore, err := openResealer(ctx, f)
	if err != nil {
		return err
	}
	defer closeStore()
	counts, err := r.SealedVersions(ctx)
	if err != nil {
		return err
	}
	if n := counts[v]; n > 0 {
		return fmt.Errorf("%d values are still sealed under v%d; run `kund keys rotate --resume` first", n, v)
	}
	if err := keyring.Retire(path, v); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "retired v%d from %s; copy the file to every Kund process of this database\n", v, path)
	return nil
}

// describeVersions says how many values are under which key version.
func describeVersions(counts map[uint32]int64) string {
	var vs []uint32
	for v, n := range counts {
		if n > 0 {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return "no sealed values"
	}
	slices.Sort(vs)
	var parts []string
	for _, v := range vs {
		if v == 0 {
			parts = append(parts, fmt.Sprintf("%d in clear", counts[v]))
			continue
		}
		parts = append(parts, fmt.Sprintf("%d under v%d", counts[v], v))
	}
	return strings.Join(parts, ", ")
}
