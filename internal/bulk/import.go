// Package bulk imports customers from NDJSON or CSV files and exports them
// as NDJSON. Every row goes through the API's own decoding and the
// domain's validation; only the writing is batched.
package bulk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
)

// Formats of an import file.
const (
	NDJSON = "ndjson"
	CSV    = "csv"
)

// DefaultBatch is how many valid rows one transaction writes unless told
// otherwise. Every transaction rewrites the index pages its rows touch,
// and rows with random keys (uuids, e-mail addresses, names) touch pages
// all over the indexes: 1,000,000 rows took 105 s in batches of 10,000 and
// 45 s in batches of 100,000, with the same CPU per row. A batch of
// 100,000 holds the writer for a few seconds, which writes of a server on
// the same database wait out.
const DefaultBatch = 100_000

// Options configure an import.
type Options struct {
	Format    string        // NDJSON or CSV
	BatchSize int           // valid rows per transaction; 0 means DefaultBatch
	DryRun    bool          // validate only, write nothing
	Progress  io.Writer     // progress lines; nil for none
	Every     time.Duration // interval of progress lines; 0 means 2 s
	// Bad is called for every row that is refused, with its line number
	// (from 1) and the reason.
	Bad func(line int, reason string)
}

// Result counts what an import did.
type Result struct {
	Rows     int // data rows read
	Imported int // written now
	Existing int // skipped: the ledger already had the number (an earlier run, or the number twice)
	Bad      int // refused
}

// row is one data row of the file as a create body, with its line.
type row struct {
	line int
	body []byte
	err  error // the row could not even be read as a body
}

type chunk struct {
	rows []row
	done chan struct{}
	cs   []*customer.Customer
	line []int // line of each of cs
	bad  []badRow
}

type badRow struct {
	line   int
	reason string
}

// batch is what one transaction writes, with what was read for it: the
// rows of its chunks and the bad ones among them.
type batch struct {
	rows int
	cs   []*customer.Customer
	line []int
	bad  []badRow
}

// chunkRows is how many rows a validation worker takes at a time: small,
// so that validating on every core and writing on one keep pace in steps
// much shorter than a transaction.
const chunkRows = 1000

// Import reads r and stores every valid row in ledgerNo. A row whose
// number the ledger already has is skipped, so an import that was
// interrupted is completed by running it again.
func Import(ctx context.Context, svc *customer.Service, store customer.BulkStore, ledgerNo string, r io.Reader, opt Options) (Result, error) {
	var res Result
	l, err := svc.Ledger(ctx, ledgerNo)
	if err != nil {
		return res, err
	}
	if l.CustomerNumbers == customer.NumbersGenerated {
		return res, fmt.Errorf("ledger %s generates customer numbers; bulk import needs a ledger with client customer numbers", ledgerNo)
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatch
	}
	if opt.Every <= 0 {
		opt.Every = 2 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Reading, validating and writing overlap: one reader cuts the file
	// into chunks, workers validate chunks in parallel, a collector takes
	// the chunks in file order and gathers batches, and the writer (this
	// goroutine) writes one batch while the next is gathered. At most two
	// batches and a few chunks are in memory.
	work := make(chan *chunk, 2*runtime.GOMAXPROCS(0))
	ordered := make(chan *chunk, 2*runtime.GOMAXPROCS(0))
	batches := make(chan *batch, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(work)
		defer close(ordered)
		readErr <- readRows(ctx, r, opt.Format, min(chunkRows, opt.BatchSize), func(rows []row) bool {
			c := &chunk{rows: rows, done: make(chan struct{})}
			select {
			case ordered <- c:
			case <-ctx.Done():
				return false
			}
			select {
			case work <- c:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		go func() {
			for c := range work {
				validate(svc, l, c)
				close(c.done)
			}
		}()
	}
	go func() {
		defer close(batches)
		b := &batch{}
		send := func() bool {
			select {
			case batches <- b:
				b = &batch{}
				return true
			case <-ctx.Done():
				return false
			}
		}
		for c := range ordered {
			select {
			case <-c.done:
			case <-ctx.Done():
				return
			}
			b.rows += len(c.rows)
			b.cs = append(b.cs, c.cs...)
			b.line = append(b.line, c.line...)
			b.bad = append(b.bad, c.bad...)
			if len(b.cs) >= opt.BatchSize && !send() {
				return
			}
		}
		if b.rows > 0 {
			send()
		}
	}()

	start, last := time.Now(), time.Now()
	for b := range batches {
		res.Rows += b.rows
		for _, bad := range b.bad {
			res.Bad++
			if opt.Bad != nil {
				opt.Bad(bad.line, bad.reason)
			}
		}
		if !opt.DryRun && len(b.cs) > 0 {
			stored, err := customer.ImportBatch(ctx, store, ledgerNo, b.cs)
			if err != nil {
				return res, fmt.Errorf("writing the rows of lines %d-%d: %w", b.line[0], b.line[len(b.line)-1], err)
			}
			for _, ok := range stored {
				if ok {
					res.Imported++
				} else {
					res.Existing++
				}
			}
		}
		if opt.Progress != nil && time.Since(last) >= opt.Every {
			last = time.Now()
			fmt.Fprintf(opt.Progress, "kund import: %d rows read, %d imported, %d already present, %d bad (%.0f rows/s)\n",
				res.Rows, res.Imported, res.Existing, res.Bad, float64(res.Rows)/time.Since(start).Seconds())
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := <-readErr; err != nil {
		return res, err
	}
	return res, nil
}

func validate(svc *customer.Service, l *customer.Ledger, c *chunk) {
	for _, r := range c.rows {
		err := r.err
		var in *customer.NewCustomer
		if err == nil {
			in, err = httpapi.DecodeCreateBody(r.body)
		}
		var cu *customer.Customer
		if err == nil {
			cu, err = svc.PrepareImport(l, in)
		}
		if err != nil {
			c.bad = append(c.bad, badRow{r.line, Reason(err)})
			continue
		}
		c.cs = append(c.cs, cu)
		c.line = append(c.line, r.line)
	}
}

// Reason is a one-line account of why a row was refused.
func Reason(err error) string {
	ps := customer.ErrorProblems(err)
	if len(ps) == 0 {
		return customer.ErrorMessage(err)
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Field + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}

// readRows cuts r into chunks of n rows and hands each to emit until emit
// returns false.
func readRows(ctx context.Context, r io.Reader, format string, n int, emit func([]row) bool) error {
	switch format {
	case NDJSON, "":
		return readNDJSON(r, n, emit)
	case CSV:
		return readCSV(r, n, emit)
	}
	return fmt.Errorf("unknown import format %q (ndjson or csv)", format)
}

func readNDJSON(r io.Reader, n int, emit func([]row) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), httpapi.MaxBody)
	var rows []row
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue // blank lines separate nothing
		}
		rows = append(rows, row{line: line, body: bytes.Clone(b)})
		if len(rows) == n {
			if !emit(rows) {
				return nil
			}
			rows = nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", line+1, err)
	}
	if len(rows) > 0 {
		emit(rows)
	}
	return nil
}

// CSVColumns are the columns a CSV import may have: the properties of the
// create body (httpapi.CreateColumns), nested ones named by their path. The
// header row names the columns used, in any order; an empty cell is an
// absent property.
var CSVColumns, csvKinds = func() ([]string, map[string]string) {
	var names []string
	kinds := map[string]string{}
	for _, c := range httpapi.CreateColumns() {
		names = append(names, c.Name)
		kinds[c.Name] = c.JSON
	}
	return names, kinds
}()

func readCSV(r io.Reader, n int, emit func([]row) bool) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	} else if err != nil {
		return fmt.Errorf("CSV header: %w", err)
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		known := false
		for _, c := range CSVColumns {
			known = known || c == h
		}
		if !known {
			return fmt.Errorf("CSV header: unknown column %q (known: %s)", h, strings.Join(CSVColumns, ","))
		}
		if seen[h] {
			return fmt.Errorf("CSV header: column %q appears twice", h)
		}
		seen[h] = true
		cols[i] = h
	}
	var rows []row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rows = append(rows, row{line: pe.StartLine, err: customer.ValidationError("row", pe.Err.Error())})
		} else if err != nil {
			return err
		} else {
			body, err := csvBody(cols, rec)
			rows = append(rows, row{line: line, body: body, err: err})
		}
		if len(rows) == n {
			if !emit(rows) {
				return nil
			}
			rows = nil
		}
	}
	if len(rows) > 0 {
		emit(rows)
	}
	return nil
}

// csvBody builds the create body a CSV record stands for, so that it is
// decoded and validated exactly as JSON is.
func csvBody(cols, rec []string) ([]byte, error) {
	body := map[string]any{}
	for i, v := range rec {
		if v == "" {
			continue
		}
		var val any = v
		switch csvKinds[cols[i]] {
		case "bool":
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				val = true
			case "false":
				val = false
			default:
				return nil, customer.ValidationError(cols[i], "must be true or false")
			}
		case "object":
			if !json.Valid([]byte(v)) {
				return nil, customer.ValidationError(cols[i], "must be a JSON object")
			}
			val = json.RawMessage(v)
		}
		if parent, child, nested := strings.Cut(cols[i], "."); nested {
			m, _ := body[parent].(map[string]any)
			if m == nil {
				m = map[string]any{}
				body[parent] = m
			}
			m[child] = val
		} else {
			body[cols[i]] = val
		}
	}
	return json.Marshal(body)
}
