package register

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/kund/kund/internal/customer"
)

// RefreshOptions configure a refresh of a ledger.
type RefreshOptions struct {
	LedgerNo string
	// OlderThan: customers whose legal address the register confirmed
	// longer ago than this, or never, are checked.
	OlderThan time.Duration
	// Limiter paces the lookups; nil: as fast as the register answers.
	Limiter *rate.Limiter
	// Progress, when not nil, is told after each batch and at the end.
	Progress func(RefreshProgress)
	// Batch is how many customers are read at a time (500).
	Batch int
}

// RefreshProgress counts what a refresh did so far; Total is what the
// refresh (or its resumed remainder) set out to check.
type RefreshProgress struct {
	Total, Checked, Changed, Unchanged, Skipped, NotFound int
	Resumed                                               bool
}

// refreshCursor names the cursor of a ledger's refresh in MonitorStore:
// the limit of the run and the last customer it checked, so that a run
// that stopped resumes with the same customers.
func refreshCursor(ledgerNo string) string { return "refresh/" + ledgerNo }

// Refresh checks the customers of a ledger whose legal address is stale
// against the register, one lookup each (each in the disclosure log), and
// applies what the register says as the feed's changes are applied. A
// register that cannot answer stops the refresh with an error; running it
// again resumes behind the last customer checked.
func (m *Monitor) Refresh(ctx context.Context, o RefreshOptions) (RefreshProgress, error) {
	var pr RefreshProgress
	if _, err := m.customers.Ledger(ctx, o.LedgerNo); err != nil {
		return pr, err
	}
	if o.OlderThan < 0 {
		return pr, customer.ValidationError("olderThan", "must not be negative")
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	name := refreshCursor(o.LedgerNo)
	saved, err := m.store.RegisterCursor(ctx, name)
	if err != nil {
		return pr, err
	}
	before, after := m.svc.now().Add(-o.OlderThan), int64(0)
	if limit, last, ok := parseRefreshCursor(saved); ok {
		before, after, pr.Resumed = limit, last, true
	}
	if pr.Total, err = m.store.CountStaleLegalAddresses(ctx, o.LedgerNo, before, after); err != nil {
		return pr, err
	}
	caller := customer.Caller{LedgerNo: o.LedgerNo, TokenID: RefreshID}
	jctx := customer.WithJournal(ctx, customer.Journal{Actor: customer.Actor{Type: customer.ActorRegister, ID: RefreshID},
		RequestID: "register-refresh:" + strconv.FormatInt(before.UnixMicro(), 10)})
	for {
		batch, err := m.store.StaleLegalAddresses(ctx, o.LedgerNo, before, after, o.Batch)
		if err != nil || len(batch) == 0 {
			if err == nil {
				err = m.store.DeleteRegisterCursor(ctx, name)
			}
			report(o, pr)
			return pr, err
		}
		for _, s := range batch {
			if o.Limiter != nil {
				if err := o.Limiter.Wait(ctx); err != nil {
					return pr, err
				}
			}
			if err := m.refreshOne(jctx, caller, s, &pr); err != nil {
				report(o, pr)
				return pr, err
			}
			after = s.ID
		}
		if err := m.store.SetRegisterCursor(ctx, name, formatRefreshCursor(before, after), m.svc.now()); err != nil {
			return pr, err
		}
		report(o, pr)
	}
}

func report(o RefreshOptions, pr RefreshProgress) {
	if o.Progress != nil {
		o.Progress(pr)
	}
}

// refreshOne looks one customer's person up and applies the answer.
func (m *Monitor) refreshOne(ctx context.Context, caller customer.Caller, s Stale, pr *RefreshProgress) error {
	c, err := m.customers.RegisterSubject(ctx, caller.LedgerNo, s.CustomerNo)
	switch customer.ErrorCode(err) {
	case "":
	case customer.ECUSTOMERNOTFOUND, customer.ECONFLICT:
		return nil // gone, or changed since it was listed, into one the register cannot speak for
	default:
		return err
	}
	id := *c.NationalID
	p, err := m.svc.Lookup(ctx, caller, PurposeRefresh, id.CountryCode, id.RegNo)
	switch customer.ErrorCode(err) {
	case "":
	case customer.EPERSONNOTFOUND:
		pr.Checked++
		pr.NotFound++
		return nil
	default:
		return err
	}
	pr.Checked++
	outcome, err := m.follow(ctx, caller.LedgerNo, s.CustomerNo, id, "refresh", p, true, false)
	switch outcome {
	case ChangeApplied:
		pr.Changed++
	case ChangeSkipped:
		pr.Skipped++
	case ChangeUnchanged:
		pr.Unchanged++
	}
	return err
}

func formatRefreshCursor(before time.Time, last int64) string {
	return fmt.Sprintf("%d %d", before.UnixMicro(), last)
}

func parseRefreshCursor(s string) (time.Time, int64, bool) {
	a, b, ok := strings.Cut(s, " ")
	if !ok {
		return time.Time{}, 0, false
	}
	limit, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, 0, false
	}
	return time.UnixMicro(limit).UTC(), last, true
}
