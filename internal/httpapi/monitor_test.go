package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/pgtest"
	"github.com/kund/kund/internal/register"
	"github.com/kund/kund/internal/register/registertest"
)

// quickMonitor makes the register monitor of a test ask its feed often and
// retry soon.
func quickMonitor(c *app.Config) {
	c.Monitor = register.MonitorOptions{Poll: 20 * time.Millisecond, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Batch: 2}
}

func monitorOn(t *testing.T, e *apitest.Env, ledgerNo string) {
	t.Helper()
	on := true
	if _, err := e.Kund.Service.UpdateLedger(context.Background(), ledgerNo, customer.LedgerOptions{RegisterMonitoring: &on}); err != nil {
		t.Fatal(err)
	}
}

type journalEvent struct {
	Type       string `json:"type"`
	CustomerNo string `json:"customerNo"`
	RequestID  string `json:"requestId"`
	Actor      struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"actor"`
}

// registerEvents reads a ledger's journal and returns the events the
// register made, by customer number, as "type" strings in order.
func registerEvents(t *testing.T, e *apitest.Env, ledgerNo string) map[string][]string {
	t.Helper()
	tok := e.Token(ledgerNo, customer.ScopeEvents)
	out := map[string][]string{}
	after := 0
	for {
		res := e.Call("GET", fmt.Sprintf("/ledger/customer/v1/%s/events?after=%d&take=500", ledgerNo, after), tok, "")
		want(t, res, 200)
		var page struct {
			Items []struct {
				journalEvent
				Sequence int `json:"sequence"`
			} `json:"items"`
		}
		if err := json.Unmarshal(res.Body, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 0 {
			return out
		}
		for _, ev := range page.Items {
			after = ev.Sequence
			if ev.Actor.Type != customer.ActorRegister {
				continue
			}
			if ev.Actor.ID != register.MonitorID || !strings.HasPrefix(ev.RequestID, "register-change:") {
				t.Fatalf("a register event's actor %+v, request id %q", ev.Actor, ev.RequestID)
			}
			out[ev.CustomerNo] = append(out[ev.CustomerNo], ev.Type)
		}
	}
}

// waitFor polls until cond holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func countEvents(m map[string][]string) int {
	n := 0
	for _, evs := range m {
		n += len(evs)
	}
	return n
}

func monitoringLookups(t *testing.T, e *apitest.Env, tok string) int {
	t.Helper()
	res := e.Call("GET", "/ledger/customer/v1/XXX/register-lookups?take=100", tok, "")
	want(t, res, 200)
	var page struct {
		Items []struct{ Purpose, TokenID string }
	}
	json.Unmarshal(res.Body, &page)
	n := 0
	for _, it := range page.Items {
		if it.Purpose == register.PurposeMonitor && it.TokenID == register.MonitorID {
			n++
		}
	}
	return n
}

func legalOf(t *testing.T, e *apitest.Env, tok, ledgerNo, no string) (map[string]any, map[string]any) {
	t.Helper()
	res := e.Call("GET", "/ledger/customer/v1/"+ledgerNo+"/customers/"+no+"?$expand=legaladdress", tok, "")
	want(t, res, 200)
	c := res.JSON(t)
	return c, c["legalAddress"].(map[string]any)
}

// TestMonitorFileFeed: with a register file, a change of the file is a
// change of every matching customer of every ledger that opted in, with
// its event (actor register) and its disclosure log entry; what does not
// apply is skipped, for a reason the metrics show.
func TestMonitorFileFeed(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := startRegisterWith(t, b, quickMonitor)
			e.Ledger("XXX", "SE", customer.NumbersClient)
			e.Ledger("OFF", "SE", customer.NumbersClient)
			monitorOn(t, e.Env, "XXX")
			tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeWrite)
			off := e.Token("OFF", customer.ScopeRegister, customer.ScopeWrite)

			// A consumer of each country from the register, one more of the
			// Swedish person set by hand, the same person as a sole trader,
			// and the Swedish person in a ledger that did not opt in.
			want(t, e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "1")), 201)
			for i, c := range []string{"NO", "DK", "FI"} {
				want(t, e.Call("POST", generatePath, tok, generateBody(e.generated[c][1], c, fmt.Sprint(i+2))), 201)
			}
			byHand := func(no, entity string) string {
				return `{"customerNo":"` + no + `","legalEntity":"` + entity + `","name":"Britt-Marie Axelstopp",
					"nationalIdentifier":{"regNo":"19811218-9876","countryCode":"SE"},
					"legalAddress":{"addressee":"Britt-Marie Axelstopp","streetAddress":"Handgatan 1","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`
			}
			want(t, e.Call("POST", "/ledger/customer/v1/XXX/customers", tok, byHand("5", customer.Consumer)), 201)
			want(t, e.Call("POST", "/ledger/customer/v1/XXX/customers", tok, byHand("6", customer.Business)), 201)
			want(t, e.Call("POST", "/ledger/customer/v1/OFF/generate-consumer-customer-by-reg-no", off, generateBody("19811218-9876", "SE", "1")), 201)
			created := e.Now.Truncate(time.Microsecond).Format(time.RFC3339Nano)

			// The register file changes: the Swede moves, the Norwegian
			// changes name, the Dane dies, the Finn gets a protected identity.
			e.Advance(time.Hour)
			edit := func(c string, fn func(f []string)) {
				f := append([]string(nil), e.generated[c]...)
				fn(f)
				e.csv[c] = strings.Replace(e.csv[c], strings.Join(e.generated[c], ","), strings.Join(f, ","), 1)
			}
			edit("NO", func(f []string) { f[3] = "Fjellheim" })
			edit("DK", func(f []string) { f[9] = "true" })
			edit("FI", func(f []string) { f[4], f[5], f[8] = "c/o Erityinen", "PL 1000", "true" })
			e.write(t, brittNew+tolvan+hidden)
			waitFor(t, "the changes of the file", func() bool { return countEvents(registerEvents(t, e.Env, "XXX")) >= 6 })
			time.Sleep(100 * time.Millisecond) // several polls more: nothing is applied twice

			got := registerEvents(t, e.Env, "XXX")
			wantEvents := map[string][]string{
				"1": {customer.EventLegalAddressChanged},
				"2": {customer.EventLegalAddressChanged, customer.EventCustomerUpdated},
				"3": {customer.EventDeceased},
				"4": {customer.EventLegalAddressChanged, customer.EventProtectedIdentityChanged},
			}
			if fmt.Sprint(got) != fmt.Sprint(wantEvents) {
				t.Fatalf("the register's events %v, want %v", got, wantEvents)
			}
			confirmed := e.Now.Truncate(time.Microsecond).Format(time.RFC3339Nano)
			_, la := legalOf(t, e.Env, tok, "XXX", "1")
			if la["streetAddress"] != "Vasagatan 3" || la["city"] != "GÖTEBORG" || la["coAddress"] != nil ||
				la["source"] != customer.SourceRegister || la["confirmedAt"] != confirmed {
				t.Fatalf("the person who moved: %v", la)
			}
			c, la := legalOf(t, e.Env, tok, "XXX", "2")
			if name := e.generated["NO"][2] + " Fjellheim"; c["name"] != name || la["addressee"] != name {
				t.Fatalf("the person who changed name: %v", c)
			}
			if c, _ := legalOf(t, e.Env, tok, "XXX", "3"); c["legalStatus"] != customer.StatusDeceased {
				t.Fatalf("the person who died: %v", c)
			}
			c, la = legalOf(t, e.Env, tok, "XXX", "4")
			if c["protectedIdentity"] != true || la["streetAddress"] != "PL 1000" || la["coAddress"] != "c/o Erityinen" {
				t.Fatalf("the protected person: %v", c)
			}
			// Set by hand, a sole trader, a ledger without monitoring: unchanged.
			for _, lc := range [][2]string{{"XXX", "5"}, {"XXX", "6"}, {"OFF", "1"}} {
				tk := tok
				if lc[0] == "OFF" {
					tk = off
				}
				_, la := legalOf(t, e.Env, tk, lc[0], lc[1])
				if la["city"] != "STOCKHOLM" {
					t.Fatalf("%s/%s changed: %v", lc[0], lc[1], la)
				}
			}
			if _, la := legalOf(t, e.Env, off, "OFF", "1"); la["confirmedAt"] != created {
				t.Fatalf("a ledger without monitoring was confirmed: %v", la)
			}
			if n := monitoringLookups(t, e.Env, tok); n != 4 {
				t.Fatalf("%d disclosure log entries of monitoring, want 4", n)
			}
			metrics := string(e.Call("GET", "/metrics", "", "").Body)
			for _, m := range []string{
				`kund_register_changes_total{outcome="applied"} 4`,
				`kund_register_changes_total{outcome="skipped"} 2`,
				`kund_register_changes_skipped_total{reason="business-customer"} 1`,
				`kund_register_changes_skipped_total{reason="legal-address-set-by-customer"} 1`,
			} {
				if !strings.Contains(metrics, m+"\n") {
					t.Errorf("the metrics lack %s", m)
				}
			}
			log := e.Log()
			if !strings.Contains(log, `"msg":"register change not applied"`) || !strings.Contains(log, `"reason":"business-customer"`) {
				t.Errorf("the skipped change is not in the log")
			}
			for _, personal := range []string{"Vasagatan", "Fjellheim", "PL 1000", "19811218-9876"} {
				if strings.Contains(log, personal) {
					t.Errorf("the log shows %q", personal)
				}
			}
		})
	}
}

// TestMonitorHTTPFeed: the HTTP register's feed, through an outage of the
// register and a restart of Kund: every change is applied exactly once,
// and the restarted Kund resumes behind the last change it applied.
func TestMonitorHTTPFeed(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			backend := reopenable(t, b)
			persons := map[string]registertest.Person{
				"SE": {Country: "SE", RegNo: "19811218-9876", FirstName: "Britt-Marie", LastName: "Axelstopp", StreetAddress: "The street 18", ZipCode: "15961", City: "STOCKHOLM"},
				"NO": {Country: "NO", RegNo: "01010750160", FirstName: "Kari", LastName: "Nordmann", StreetAddress: "Storgata 1", ZipCode: "0150", City: "OSLO"},
				"DK": {Country: "DK", RegNo: "010190-1234", FirstName: "Jens", LastName: "Hansen", StreetAddress: "Vesterbrogade 1", ZipCode: "1620", City: "KØBENHAVN V"},
				"FI": {Country: "FI", RegNo: "131052-308T", FirstName: "Matti", LastName: "Virtanen", StreetAddress: "Mannerheimintie 1", ZipCode: "00100", City: "HELSINKI"},
			}
			srv := registertest.Start(t, persons["SE"], persons["NO"], persons["DK"], persons["FI"])
			start := func(t *testing.T) *apitest.Env {
				h, err := register.NewHTTP(srv.URL, register.HTTPOptions{Timeout: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				return apitest.StartWith(t, backend, func(c *app.Config) {
					quickMonitor(c)
					c.Register = register.NewCache(h, time.Minute, 0, nil)
				})
			}
			nos := map[string]string{"SE": "1", "NO": "2", "DK": "3", "FI": "4"}

			t.Run("first run", func(t *testing.T) {
				e := start(t)
				e.Ledger("XXX", "SE", customer.NumbersClient)
				monitorOn(t, e, "XXX")
				tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeRead)
				for c, p := range persons {
					want(t, e.Call("POST", generatePath, tok, generateBody(p.RegNo, c, nos[c])), 201)
				}
				se := persons["SE"]
				se.StreetAddress, se.ZipCode, se.City = "Vasagatan 3", "41101", "GÖTEBORG"
				srv.Change(se, register.KindMoved)
				no := persons["NO"]
				no.StreetAddress = "Karl Johans gate 2"
				srv.Change(no, register.KindMoved)
				waitFor(t, "two moves", func() bool { return countEvents(registerEvents(t, e, "XXX")) == 2 })

				// The register goes down; the API goes on answering while the
				// monitor backs off, and the change behind the outage arrives.
				srv.FailNext(4)
				dk := persons["DK"]
				dk.Deceased = true
				srv.Change(dk, register.KindDeceased)
				began := time.Now()
				want(t, e.Call("GET", "/ledger/customer/v1/XXX/customers/1", tok, ""), 200)
				if d := time.Since(began); d > time.Second {
					t.Fatalf("a GET during the register's outage took %s", d)
				}
				waitFor(t, "the death after the outage", func() bool { return countEvents(registerEvents(t, e, "XXX")) == 3 })
				metrics := string(e.Call("GET", "/metrics", "", "").Body)
				if strings.Contains(metrics, "kund_register_feed_failures_total 0\n") || !strings.Contains(metrics, "kund_register_feed_failures_total") {
					t.Fatalf("the outage is not in the metrics")
				}
				c, _ := legalOf(t, e, tok, "XXX", "3")
				if c["legalStatus"] != "deceased" {
					t.Fatalf("the deceased person: %v", c)
				}
			})

			// While Kund is stopped the register goes on changing.
			fi := persons["FI"]
			fi.ProtectedIdentity, fi.CoAddress, fi.StreetAddress = true, "c/o Erityinen", "PL 1000"
			srv.Change(fi, register.KindProtected)
			se := persons["SE"]
			se.StreetAddress, se.ZipCode, se.City = "Avenyn 1", "41136", "GÖTEBORG"
			srv.Change(se, register.KindMoved)
			asked := len(srv.Afters())

			t.Run("after a restart", func(t *testing.T) {
				e := start(t)
				tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeRead)
				waitFor(t, "the changes made while Kund was down", func() bool { return countEvents(registerEvents(t, e, "XXX")) == 6 })
				if first := srv.Afters()[asked]; first != "3" {
					t.Fatalf("the restarted Kund asked for the changes after %q, want 3", first)
				}
				time.Sleep(100 * time.Millisecond) // several polls more: nothing is applied again
				got := registerEvents(t, e, "XXX")
				wantEvents := map[string][]string{
					"1": {customer.EventLegalAddressChanged, customer.EventLegalAddressChanged},
					"2": {customer.EventLegalAddressChanged},
					"3": {customer.EventDeceased},
					"4": {customer.EventLegalAddressChanged, customer.EventProtectedIdentityChanged},
				}
				if fmt.Sprint(got) != fmt.Sprint(wantEvents) {
					t.Fatalf("the register's events %v, want %v", got, wantEvents)
				}
				if n := monitoringLookups(t, e, tok); n != 5 {
					t.Fatalf("%d disclosure log entries of monitoring, want 5 (one per applied change)", n)
				}
				c, la := legalOf(t, e, tok, "XXX", "4")
				if c["protectedIdentity"] != true || la["streetAddress"] != "PL 1000" || la["source"] != customer.SourceRegister {
					t.Fatalf("the protected person: %v", c)
				}
				_, la = legalOf(t, e, tok, "XXX", "1")
				if la["streetAddress"] != "Avenyn 1" || la["confirmedAt"] == nil {
					t.Fatalf("the person who moved twice: %v", la)
				}
			})
		})
	}
}

// reopenable is b as a database that outlives one Kund: each Kund started
// on it opens the same database again, as a restarted kund serve does.
func reopenable(t *testing.T, b apitest.Backend) apitest.Backend {
	t.Helper()
	dsn, key := filepath.Join(t.TempDir(), "kund.db"), ""
	if b.Name == apitest.Postgres.Name {
		dsn, key = pgtest.URL(t), apitest.KeyFile(t)
	}
	return apitest.Backend{Name: b.Name, Open: func(t testing.TB) app.Store {
		s, err := app.OpenStore(context.Background(), dsn, key)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}
}

// TestRegisterRefresh: a refresh looks up the customers whose legal address
// is stale, applies what the register says as the feed's changes are
// applied, marks the rest confirmed, and resumes behind the last customer
// checked when it stopped.
func TestRegisterRefresh(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			srv := registertest.Start(t)
			h, err := register.NewHTTP(srv.URL, register.HTTPOptions{})
			if err != nil {
				t.Fatal(err)
			}
			e := apitest.StartWith(t, b, func(c *app.Config) { c.Register = h })
			e.Ledger("XXX", "SE", customer.NumbersClient)
			tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeWrite, customer.ScopeEvents)
			var persons []registertest.Person
			for i, c := range []string{"SE", "NO", "DK", "FI"} {
				var buf strings.Builder
				if err := register.Generate(&buf, register.GenerateOptions{Country: c, Count: 50, Seed: 5}); err != nil {
					t.Fatal(err)
				}
				for _, row := range strings.Split(strings.TrimSpace(buf.String()), "\n")[1:] {
					f := strings.Split(row, ",")
					if f[8] == "false" && f[9] == "false" {
						p := registertest.Person{Country: f[0], RegNo: f[1], FirstName: f[2], LastName: f[3], CoAddress: f[4],
							StreetAddress: f[5], ZipCode: f[6], City: f[7], Phone: f[10]}
						persons = append(persons, p)
						srv.Change(p)
						want(t, e.Call("POST", generatePath, tok, generateBody(p.RegNo, c, fmt.Sprint(i+1))), 201)
						break
					}
				}
			}
			// One more customer, confirmed later: not stale yet.
			e.Advance(700 * time.Hour)
			srv.Change(registertest.Person{Country: "SE", RegNo: "19811218-9876", FirstName: "Britt-Marie", LastName: "Axelstopp",
				StreetAddress: "The street 18", ZipCode: "15961", City: "STOCKHOLM"})
			want(t, e.Call("POST", generatePath, tok, generateBody("19811218-9876", "SE", "5")), 201)
			e.Advance(100 * time.Hour)

			// In the register the Swede moves and the Dane dies.
			moved := persons[0]
			moved.StreetAddress, moved.CoAddress = "Nygatan 99", ""
			srv.Change(moved)
			dead := persons[2]
			dead.Deceased = true
			srv.Change(dead)

			// The first run stops after two customers.
			stop, cancel := context.WithCancel(context.Background())
			defer cancel()
			hits := srv.Hits()
			pr, err := e.Kund.Monitor.Refresh(stop, register.RefreshOptions{LedgerNo: "XXX", OlderThan: 720 * time.Hour, Batch: 1,
				Progress: func(pr register.RefreshProgress) {
					if pr.Checked == 2 {
						cancel()
					}
				}})
			if err == nil || pr.Total != 4 || pr.Checked != 2 || pr.Changed != 1 || pr.Unchanged != 1 {
				t.Fatalf("the stopped run: %+v %v", pr, err)
			}
			// The second resumes behind them.
			pr, err = e.Kund.Monitor.Refresh(context.Background(), register.RefreshOptions{LedgerNo: "XXX", OlderThan: 720 * time.Hour,
				Limiter: rate.NewLimiter(1000, 1)})
			if err != nil || !pr.Resumed || pr.Total != 2 || pr.Checked != 2 || pr.Changed != 1 || pr.Unchanged != 1 {
				t.Fatalf("the resumed run: %+v %v", pr, err)
			}
			if n := srv.Hits() - hits; n != 4 {
				t.Fatalf("the two runs made %d lookups, want 4 (each stale customer once)", n)
			}
			// Done: a run now finds nothing stale.
			if pr, err := e.Kund.Monitor.Refresh(context.Background(), register.RefreshOptions{LedgerNo: "XXX", OlderThan: 720 * time.Hour}); err != nil || pr.Total != 0 || pr.Resumed {
				t.Fatalf("a third run: %+v %v", pr, err)
			}

			confirmed := e.Now.Truncate(time.Microsecond).Format(time.RFC3339Nano)
			_, la := legalOf(t, e, tok, "XXX", "1")
			if la["streetAddress"] != "Nygatan 99" || la["confirmedAt"] != confirmed {
				t.Fatalf("the Swede who moved: %v", la)
			}
			if c, la := legalOf(t, e, tok, "XXX", "3"); c["legalStatus"] != customer.StatusDeceased || la["confirmedAt"] != confirmed {
				t.Fatalf("the Dane who died: %v", c)
			}
			if _, la := legalOf(t, e, tok, "XXX", "2"); la["confirmedAt"] != confirmed {
				t.Fatalf("an unchanged address is confirmed by the refresh: %v", la)
			}
			if _, la := legalOf(t, e, tok, "XXX", "5"); la["confirmedAt"] == confirmed {
				t.Fatalf("a fresh address was checked: %v", la)
			}
			// The changes are in the journal, the lookups in the disclosure log.
			res := e.Call("GET", "/ledger/customer/v1/XXX/events?after=5", tok, "")
			var evs struct{ Items []journalEvent }
			json.Unmarshal(res.Body, &evs)
			if len(evs.Items) != 2 || evs.Items[0].Actor.Type != customer.ActorRegister || evs.Items[0].Actor.ID != register.RefreshID {
				t.Fatalf("the refresh's events: %s", res.Body)
			}
			res = e.Call("GET", "/ledger/customer/v1/XXX/register-lookups?take=4", tok, "")
			if strings.Count(string(res.Body), `"purpose":"register-refresh"`) != 4 {
				t.Fatalf("the refresh's lookups: %s", res.Body)
			}
		})
	}
}

// TestMonitorCursorExpired: a register that no longer keeps the changes
// after Kund's cursor answers 410; Kund says so in the log and goes on from
// the oldest change the register keeps.
func TestMonitorCursorExpired(t *testing.T) {
	britt := registertest.Person{Country: "SE", RegNo: "19811218-9876", FirstName: "Britt-Marie", LastName: "Axelstopp",
		StreetAddress: "The street 18", ZipCode: "15961", City: "STOCKHOLM"}
	srv := registertest.Start(t, britt)
	h, err := register.NewHTTP(srv.URL, register.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := apitest.StartWith(t, apitest.SQLite, func(c *app.Config) {
		quickMonitor(c)
		c.Register = h
	})
	e.Ledger("XXX", "SE", customer.NumbersClient)
	monitorOn(t, e, "XXX")
	tok := e.Token("XXX", customer.ScopeRegister, customer.ScopeRead)
	want(t, e.Call("POST", generatePath, tok, generateBody(britt.RegNo, "SE", "1")), 201)
	move := func(street string) {
		p := britt
		p.StreetAddress = street
		srv.Change(p, register.KindMoved)
	}
	move("Gata 1")
	waitFor(t, "the first move", func() bool { return countEvents(registerEvents(t, e, "XXX")) == 1 })
	// While Kund cannot reach it, the register forgets changes 1-3; Kund's
	// cursor is 1, and 4 waits.
	srv.FailNext(1 << 30)
	move("Gata 2")
	move("Gata 3")
	move("Gata 4")
	srv.Drop(3)
	srv.FailNext(0)
	waitFor(t, "the change after the gap", func() bool {
		_, la := legalOf(t, e, tok, "XXX", "1")
		return la["streetAddress"] == "Gata 4"
	})
	if !strings.Contains(e.Log(), "the register no longer keeps the changes after Kund's cursor") {
		t.Fatal("the lost changes are not in the log")
	}
	if got := registerEvents(t, e, "XXX")["1"]; len(got) != 2 {
		t.Fatalf("events %v, want the first move and the last", got)
	}
}
