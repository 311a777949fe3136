package bench

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/register"
)

// MonitorStats are the figures of the monitor scenario: a register's feed
// of Changes changes applied to the bench ledger by the register monitor,
// in the process of the bench (no HTTP: what is measured is the matching,
// the domain's update path, the journal and the disclosure log).
type MonitorStats struct {
	Customers int `json:"ledgerCustomers"`
	Changes   int `json:"changes"`
	// AdoptSeconds is the time to make the customers the changes are about
	// the register's (a refresh's confirmation, without its lookups), so
	// that a move applies to them.
	AdoptSeconds float64 `json:"adoptSeconds"`
	// Seconds is the time from the first page of the feed to the last
	// change applied.
	Seconds          float64 `json:"seconds"`
	ChangesPerSecond float64 `json:"changesPerSecond"`
	Events           int64   `json:"events"`
}

// monitorFeed is a register whose feed holds the bench's changes and
// whose lookups find nobody. Its cursors carry the run, so a cursor a
// reused database kept from an earlier run starts this run's feed anew.
type monitorFeed struct {
	run     string
	changes []register.Change
}

func (f *monitorFeed) Lookup(context.Context, string, string) (*register.Person, error) {
	return nil, register.ErrNotFound
}

func (f *monitorFeed) LookupPhone(context.Context, string) (*register.Person, error) {
	return nil, register.ErrNotFound
}

func (f *monitorFeed) Changes(_ context.Context, cursor string, limit int) ([]register.Change, error) {
	from := 0
	if run, n, ok := strings.Cut(cursor, ":"); ok && run == f.run {
		from, _ = strconv.Atoi(n)
	}
	if from >= len(f.changes) {
		return nil, nil
	}
	return f.changes[from:min(from+limit, len(f.changes))], nil
}

// person is the register's record of the i-th prepared customer (Row).
func person(i int) register.Person {
	return register.Person{Country: "SE", RegNo: PersonalNo(i), FirstName: "Kund", LastName: "Kundsson " + strconv.Itoa(i),
		Address: register.Address{StreetAddress: "Storgatan " + strconv.Itoa(i%200+1), City: "STOCKHOLM",
			ZipCode: fmt.Sprintf("11%03d", i%1000), CountryCode: "SE"}}
}

// RunMonitor measures the register monitor on a prepared database of n
// customers: changes customers spread over the ledger are made the
// register's, then a feed of one change each (18 of 20 moves, one a name
// change, one a protected identity) is applied.
func RunMonitor(ctx context.Context, db, keyFile string, n, changes int, log io.Writer) (*MonitorStats, error) {
	if changes < 1 || changes > n {
		return nil, fmt.Errorf("bench: the monitor scenario needs between 1 and %d changes (the prepared customers)", n)
	}
	store, err := app.OpenStore(ctx, db, keyFile)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	feed := &monitorFeed{run: run}
	k := app.New(store, app.Config{Register: feed})
	on := true
	if _, err := k.Service.UpdateLedger(ctx, Ledger, customer.LedgerOptions{RegisterMonitoring: &on}); err != nil {
		return nil, err
	}
	st := &MonitorStats{Customers: n, Changes: changes}
	step := n / changes
	start := time.Now()
	for j := range changes {
		i := j * step
		p := person(i)
		id := customer.NationalID{RegNo: p.RegNo, CountryCode: "SE"}
		if _, _, err := k.Service.FollowRegister(ctx, Ledger, CustomerNo(i), id, register.Entry(&p), true, func() error { return nil }); err != nil {
			return nil, fmt.Errorf("bench: making customer %s the register's: %w", CustomerNo(i), err)
		}
		switch j % 20 {
		case 0:
			p.ProtectedIdentity, p.Address.CoAddress, p.Address.StreetAddress = true, "c/o Skyddad adress", "Box "+run+" "+strconv.Itoa(j)
			feed.changes = append(feed.changes, register.Change{Kinds: []string{register.KindProtected}, Person: p})
		case 1:
			p.LastName = "Namnbytesson " + run
			feed.changes = append(feed.changes, register.Change{Kinds: []string{register.KindNameChanged}, Person: p})
		default:
			p.Address = register.Address{StreetAddress: "Flyttgatan " + run + " " + strconv.Itoa(j), City: "GÖTEBORG", ZipCode: "41101", CountryCode: "SE"}
			feed.changes = append(feed.changes, register.Change{Kinds: []string{register.KindMoved}, Person: p})
		}
		feed.changes[j].ID = run + ":" + strconv.Itoa(j+1)
	}
	st.AdoptSeconds = time.Since(start).Seconds()
	fmt.Fprintf(log, "kund bench: %d customers made the register's in %.1f s; applying %d changes\n", changes, st.AdoptSeconds, changes)

	heads, err := store.JournalHeads(ctx)
	if err != nil {
		return nil, err
	}
	before := heads[Ledger]
	start = time.Now()
	for {
		got, err := k.Monitor.Step(ctx)
		if err != nil {
			return nil, err
		}
		if got == 0 {
			break
		}
	}
	st.Seconds = time.Since(start).Seconds()
	st.ChangesPerSecond = float64(changes) / st.Seconds
	if heads, err = store.JournalHeads(ctx); err != nil {
		return nil, err
	}
	st.Events = heads[Ledger] - before
	return st, nil
}
