// Package bench is `kund bench`: it prepares a database of N customers
// through the import path, starts Kund and a bare net/http server that
// answers a fixed customer-sized body, and drives the same scenarios
// against both, in alternating rounds, on 127.0.0.1 only.
package bench

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/bulk"
	"github.com/kund/kund/internal/customer"
)

// Ledger is the ledger the bench fills and uses.
const Ledger = "BENCH"

// ImportResult is the cost of preparing the database.
type ImportResult struct {
	Rows       int     `json:"rows"`
	Imported   int     `json:"imported"`
	Existing   int     `json:"alreadyPresent"`
	Seconds    float64 `json:"seconds"`
	RowsPerSec float64 `json:"rowsPerSecond"`
}

// CustomerNo is the number of the i-th (from 0) prepared customer.
func CustomerNo(i int) string { return strconv.Itoa(1_000_000 + i) }

// PersonalNo is a valid Swedish personal identity number, different for
// every i below 900 * 9000 (dates from 1950 on, serials 100-999).
func PersonalNo(i int) string {
	d := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/900)
	serial := 100 + i%900
	short := d.Format("060102") + strconv.Itoa(serial)
	return d.Format("20060102") + "-" + strconv.Itoa(serial) + string(luhn(short))
}

// luhn is the check digit that makes payload+digit pass the Luhn test.
func luhn(payload string) byte {
	sum := 0
	for i := 0; i < len(payload); i++ {
		d := int(payload[len(payload)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// Row is the create body of the i-th prepared customer: every property a
// typical customer has, a billing address on every other one.
func Row(i int) []byte {
	no := CustomerNo(i)
	b := fmt.Appendf(nil, `{"customerNo":"%s","nationalIdentifier":{"regNo":"%s","countryCode":"SE"},`+
		`"name":"Kund Kundsson %d","emailAddress":"kund%d@example.se","msisdn":"+46701%06d","preferredLanguageCode":"SV",`+
		`"distributionType":"postal","legalAddress":{"addressee":"Kund Kundsson %d","streetAddress":"Storgatan %d",`+
		`"city":"STOCKHOLM","zipCode":"11%03d","countryCode":"SE"}`, no, PersonalNo(i), i, i, i%1_000_000, i, i%200+1, i%1000)
	if i%2 == 1 {
		b = fmt.Appendf(b, `,"billingAddress":{"addressee":"Kund AB","streetAddress":"Box %d","city":"STOCKHOLM","zipCode":"10%03d","countryCode":"SE"}`, i%9000+1, i%1000)
	}
	return append(b, "}\n"...)
}

// Prepare makes sure the database has the bench ledger with n customers,
// writing them through bulk.Import (the path of `kund import`), and
// returns a token with every scope on it.
func Prepare(ctx context.Context, db, keyFile string, n int, progress io.Writer, reuse bool) (ImportResult, string, error) {
	var res ImportResult
	store, err := app.OpenStore(ctx, db, keyFile)
	if err != nil {
		return res, "", err
	}
	defer store.Close()
	k := app.New(store, app.Config{})
	if _, err := k.Service.Ledger(ctx, Ledger); customer.ErrorCode(err) == customer.ENOTFOUND {
		if err := k.Service.CreateLedger(ctx, &customer.Ledger{No: Ledger, Country: "SE", CustomerNumbers: customer.NumbersClient}); err != nil {
			return res, "", err
		}
	} else if err != nil {
		return res, "", err
	}
	if reuse {
		tok, err := k.CreateToken(ctx, Ledger, []customer.Scope{customer.ScopeAll}, 24*time.Hour)
		return res, tok, err
	}
	bs, ok := store.(customer.BulkStore)
	if !ok {
		return res, "", fmt.Errorf("this database has no bulk import")
	}
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < n; i++ {
			if _, err := pw.Write(Row(i)); err != nil {
				return
			}
		}
		pw.Close()
	}()
	start := time.Now()
	r, err := bulk.Import(ctx, k.Service, bs, Ledger, pr, bulk.Options{Format: bulk.NDJSON, Progress: progress, Every: 5 * time.Second,
		Bad: func(line int, reason string) { fmt.Fprintf(progress, "bench row %d: %s\n", line, reason) }})
	pr.Close()
	if err != nil {
		return res, "", err
	}
	if r.Bad > 0 {
		return res, "", fmt.Errorf("%d generated rows were refused", r.Bad)
	}
	res = ImportResult{Rows: r.Rows, Imported: r.Imported, Existing: r.Existing, Seconds: time.Since(start).Seconds()}
	res.RowsPerSec = float64(res.Rows) / res.Seconds
	tok, err := k.CreateToken(ctx, Ledger, []customer.Scope{customer.ScopeAll}, 24*time.Hour)
	return res, tok, err
}
