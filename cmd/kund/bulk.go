package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/bulk"
	"github.com/kund/kund/internal/customer"
)

func bulkStore(k *app.Kund) (customer.BulkStore, error) {
	b, ok := k.Store.(customer.BulkStore)
	if !ok {
		return nil, fmt.Errorf("this database has no bulk import/export")
	}
	return b, nil
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	db := addStoreFlags(fs)
	ledger := fs.String("ledger", "", "ledger number")
	format := fs.String("format", "", "ndjson or csv (default: from the file name, else ndjson)")
	strict := fs.Bool("strict", false, "refuse the whole import, writing nothing, if any row is bad")
	batch := fs.Int("batch", bulk.DefaultBatch, "valid rows per transaction")
	every := fs.Duration("progress", 2*time.Second, "interval of progress lines on stderr")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: import takes exactly one FILE (- for standard input)", errUsage)
	}
	if *ledger == "" {
		return fmt.Errorf("%w: --ledger is required", errUsage)
	}
	if *batch < 1 || *batch > 1_000_000 {
		return fmt.Errorf("%w: --batch must be between 1 and 1000000", errUsage)
	}
	file := pos[0]
	if *format == "" {
		*format = bulk.NDJSON
		if strings.HasSuffix(strings.ToLower(file), ".csv") {
			*format = bulk.CSV
		}
	}
	if file == "-" && *strict {
		return fmt.Errorf("%w: --strict reads the file twice and needs a FILE, not standard input", errUsage)
	}
	open := func() (io.ReadCloser, error) {
		if file == "-" {
			return io.NopCloser(os.Stdin), nil
		}
		return os.Open(file)
	}
	return withKund(ctx, db, func(k *app.Kund) error {
		store, err := bulkStore(k)
		if err != nil {
			return err
		}
		opt := bulk.Options{Format: *format, BatchSize: *batch, Progress: stderr, Every: *every,
			Bad: func(line int, reason string) { fmt.Fprintf(stderr, "%s:%d: %s\n", file, line, reason) }}
		pass := func(dry bool) (bulk.Result, error) {
			f, err := open()
			if err != nil {
				return bulk.Result{}, err
			}
			defer f.Close()
			o := opt
			o.DryRun = dry
			jctx := customer.WithJournal(ctx, customer.Journal{Actor: customer.Actor{Type: customer.ActorSystem, ID: "kund import"}})
			res, err := bulk.Import(jctx, k.Service, store, *ledger, f, o)
			return res, describe(err)
		}
		if *strict {
			res, err := pass(true)
			if err != nil {
				return err
			}
			if res.Bad > 0 {
				return fmt.Errorf("%d of %d rows are bad; nothing was imported (--strict)", res.Bad, res.Rows)
			}
			opt.Bad = nil
		}
		res, err := pass(false)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d rows: %d imported, %d already present, %d bad\n", res.Rows, res.Imported, res.Existing, res.Bad)
		if res.Bad > 0 {
			return fmt.Errorf("%d bad rows were skipped (reported above)", res.Bad)
		}
		return nil
	})
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	db := addStoreFlags(fs)
	ledger := fs.String("ledger", "", "ledger number")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fmt.Errorf("%w: export takes at most one FILE (default: standard output)", errUsage)
	}
	if *ledger == "" {
		return fmt.Errorf("%w: --ledger is required", errUsage)
	}
	return withKund(ctx, db, func(k *app.Kund) error {
		store, err := bulkStore(k)
		if err != nil {
			return err
		}
		w := stdout
		if len(pos) == 1 && pos[0] != "-" {
			f, err := createOwnerOnly(pos[0])
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		n, err := bulk.Export(ctx, k.Service, store, *ledger, w)
		if err != nil {
			return describe(err)
		}
		if f, ok := w.(*os.File); ok && w != stdout {
			if err := f.Sync(); err != nil {
				return err
			}
		}
		fmt.Fprintf(stderr, "kund export: %d customers\n", n)
		return nil
	})
}

// createOwnerOnly creates or truncates the file an export is written to,
// readable and writable by its owner alone, since it holds personal data.
// An existing regular file that group or others may read or write loses
// those permissions before anything is written to it; anything else (a
// pipe, a terminal) is left as it is.
func createOwnerOnly(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		err = f.Chmod(fi.Mode().Perm() &^ 0o077)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
