package events_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/events"
	"github.com/kund/kund/internal/httpapi"
)

// startNATS runs a JetStream-enabled nats-server in this process on
// 127.0.0.1 (port 0: a free one), keeping its streams in dir.
func startNATS(t *testing.T, port int, dir string) *server.Server {
	t.Helper()
	if port == 0 {
		port = -1
	}
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s
}

// streamMessages reads every message of a ledger's stream once the
// stream holds want of them (and checks that no more come).
func streamMessages(t *testing.T, url, ledgerNo string, want int) []jetstream.Msg {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stream jetstream.Stream
	for {
		stream, err = js.Stream(ctx, events.StreamName(ledgerNo))
		if err == nil {
			info, err := stream.Info(ctx)
			if err == nil && info.State.Msgs >= uint64(want) {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the stream of ledger %s did not get %d messages: %v", ledgerNo, want, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	time.Sleep(300 * time.Millisecond) // a duplicate, if one was coming
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	info, _ := stream.Info(ctx)
	if int(info.State.Msgs) != want {
		t.Fatalf("the stream holds %d messages, want %d", info.State.Msgs, want)
	}
	batch, err := cons.Fetch(want, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for m := range batch.Messages() {
		out = append(out, m)
	}
	if len(out) != want {
		t.Fatalf("read %d messages, want %d", len(out), want)
	}
	return out
}

// checkMessages: the messages are the ledger's events 1..n, each once, on
// the subject of its type, with the body the feed shows.
func checkMessages(t *testing.T, e *apitest.Env, ledgerNo string, msgs []jetstream.Msg) {
	t.Helper()
	feed := e.Token(ledgerNo, customer.ScopeEvents)
	for i, m := range msgs {
		id := customer.EventID(int64(i + 1))
		if got := m.Headers().Get(jetstream.MsgIDHeader); got != id {
			t.Fatalf("message %d has Nats-Msg-Id %q, want %s", i+1, got, id)
		}
		res := e.Call("GET", httpapi.Base+ledgerNo+"/events?take=1&after="+strconv.Itoa(i), feed, "")
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(res.Body, &page); err != nil || len(page.Items) != 1 {
			t.Fatalf("feed: %s", res.Body)
		}
		var ev struct{ Type string }
		json.Unmarshal(page.Items[0], &ev)
		if m.Subject() != events.Subject(ledgerNo, ev.Type) || string(m.Data()) != string(page.Items[0]) {
			t.Fatalf("message %d on %s:\n%s\nthe feed:\n%s", i+1, m.Subject(), m.Data(), page.Items[0])
		}
	}
}

func write(t *testing.T, e *apitest.Env, tok string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		no := strconv.Itoa(1000 + i)
		body := `{"customerNo":"` + no + `","name":"Kari Nordmann","legalAddress":{"addressee":"Kari Nordmann","city":"OSLO","zipCode":"0150","countryCode":"NO"}}`
		if res := e.Call("POST", httpapi.Base+"N1/customers", tok, body); res.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		if res := e.Call("PATCH", httpapi.Base+"N1/customers/"+no, tok, `{"emailAddress":"k`+no+`@example.no"}`); res.Status != http.StatusOK {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
	}
}

// TestNATS: every event reaches JetStream exactly once by Nats-Msg-Id,
// on the subject of its type, as the feed shows it; across a NATS restart
// with writes while it is away, and with a second publisher on the same
// database (a restarted Kund, or another one), which resumes from the
// stream's last message.
func TestNATS(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dir := t.TempDir()
			ns := startNATS(t, 0, dir)
			port := ns.Addr().(*net.TCPAddr).Port
			url := ns.ClientURL()
			e := apitest.StartWith(t, b, func(cfg *app.Config) { cfg.EventsNATS = url })
			e.Ledger("N1", "NO", customer.NumbersClient)
			e.Ledger("N2", "NO", customer.NumbersClient)
			tok := e.Token("N1", customer.ScopeWrite)
			other := e.Token("N2", customer.ScopeWrite)
			write(t, e, tok, 0, 10)
			// Another ledger's events have the same ids, in a stream of their own.
			if res := e.Call("POST", httpapi.Base+"N2/customers", other, `{"customerNo":"1","name":"Ola","legalAddress":{"addressee":"Ola","city":"OSLO","zipCode":"0150","countryCode":"NO"}}`); res.Status != http.StatusCreated {
				t.Fatalf("%d %s", res.Status, res.Body)
			}
			checkMessages(t, e, "N1", streamMessages(t, url, "N1", 20))
			checkMessages(t, e, "N2", streamMessages(t, url, "N2", 1))

			// NATS goes away; writes go on; NATS comes back with its streams.
			ns.Shutdown()
			ns.WaitForShutdown()
			write(t, e, tok, 10, 15)
			startNATS(t, port, dir)
			checkMessages(t, e, "N1", streamMessages(t, url, "N1", 30))

			// A second publisher on the same journal resumes after the
			// stream's last message: with both running, each event is
			// still there once.
			second := events.NewPublisher(e.Store.(events.Journal), events.NATSConfig{URL: url, Render: httpapi.EventJSON, Poll: 10 * time.Millisecond})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- second.Run(ctx) }()
			defer func() {
				cancel()
				<-done
			}()
			for deadline := time.Now().Add(10 * time.Second); second.Published("N1") != 30; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the second publisher is at %d, not at the stream's end 30", second.Published("N1"))
				}
			}
			write(t, e, tok, 15, 25)
			checkMessages(t, e, "N1", streamMessages(t, url, "N1", 50))
		})
	}
}
