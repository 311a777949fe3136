package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kund/kund/internal/customer"
)

// The NATS JetStream publisher (kund serve --events-nats): every event of
// every ledger is published to the subject kund.<ledgerNo>.<type> of the
// stream KUND-<ledgerNo>, with Nats-Msg-Id the event's id, so that
// JetStream drops a message published twice. A ledger has a stream of its
// own because an event id is unique only within its ledger.
//
// Where to go on from is the stream's own last message (its
// Kund-Sequence header): after a restart of Kund or of NATS, publishing
// resumes after what JetStream has stored, and what may have been
// published without its acknowledgement arriving is published again and
// dropped by the dedup window.

// Journal is what the publisher reads: each ledger's last sequence and
// its events.
type Journal interface {
	JournalHeads(ctx context.Context) (map[string]int64, error)
	Events(ctx context.Context, ledgerNo string, q customer.EventQuery) ([]*customer.Event, error)
	// Ledger gives a ledger's event retention, which its stream keeps to.
	Ledger(ctx context.Context, no string) (*customer.Ledger, error)
}

// NATSConfig is how the publisher publishes.
type NATSConfig struct {
	URL    string
	Render func(*customer.Event) ([]byte, error)
	// Poll is how often the journal is looked at when no write woke the
	// publisher (200 ms).
	Poll time.Duration
	Log  *slog.Logger
}

// DuplicateWindow is how long JetStream remembers a message id: a
// message published again within it is dropped.
const DuplicateWindow = 10 * time.Minute

const natsBatch = 500

// Publisher publishes the journal to NATS JetStream.
type Publisher struct {
	j    Journal
	cfg  NATSConfig
	wake chan struct{}

	mu        sync.Mutex
	published map[string]int64 // by ledger: the last sequence JetStream has acknowledged
}

// NewPublisher returns a publisher of j's events.
func NewPublisher(j Journal, cfg NATSConfig) *Publisher {
	if cfg.Poll <= 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Publisher{j: j, cfg: cfg, wake: make(chan struct{}, 1), published: map[string]int64{}}
}

// Wake tells the publisher that events were committed; it never blocks.
func (p *Publisher) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Published is the last sequence of a ledger that JetStream acknowledged.
func (p *Publisher) Published(ledgerNo string) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.published[ledgerNo]
}

// StreamName is the JetStream stream of a ledger's events.
func StreamName(ledgerNo string) string { return "KUND-" + ledgerNo }

// Subject is the subject of an event of a ledger.
func Subject(ledgerNo, typ string) string { return "kund." + ledgerNo + "." + typ }

// Run connects and publishes until ctx ends. NATS being away is not an
// error: the client reconnects, and publishing goes on where JetStream
// stopped.
func (p *Publisher) Run(ctx context.Context) error {
	// No reconnect buffer: a message published while the connection is
	// down fails at once, instead of waiting in a buffer that a reconnect
	// may drop while later ones get through.
	nc, err := nats.Connect(p.cfg.URL, nats.Name("kund"), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(true), nats.ReconnectBufSize(-1))
	if err != nil {
		return fmt.Errorf("events: NATS: %w", err) // the URL may carry credentials
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	// A ledger whose stream was looked at since the last failure.
	known := map[string]bool{}
	for ctx.Err() == nil {
		busy, err := p.publishAll(ctx, js, known)
		if err != nil && ctx.Err() == nil {
			p.cfg.Log.Warn("NATS publishing", slog.String("error", err.Error()))
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		if busy {
			continue
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
			select { // at most a look every minCycle, as the deliverer
			case <-ctx.Done():
			case <-time.After(minCycle):
			}
		case <-time.After(p.cfg.Poll):
		}
	}
	return nil
}

// publishAll publishes a batch of each ledger's events that JetStream
// does not have; busy: there are more. A ledger that fails is looked at
// again from its stream's last message, and holds up no other.
func (p *Publisher) publishAll(ctx context.Context, js jetstream.JetStream, known map[string]bool) (busy bool, err error) {
	heads, err := p.j.JournalHeads(ctx)
	if err != nil {
		return false, err
	}
	var errs []error
	for ledgerNo, head := range heads {
		if !known[ledgerNo] {
			last, err := p.resume(ctx, js, ledgerNo)
			if err != nil {
				errs = append(errs, fmt.Errorf("ledger %s: %w", ledgerNo, err))
				continue
			}
			p.mu.Lock()
			p.published[ledgerNo] = last
			p.mu.Unlock()
			known[ledgerNo] = true
		}
		after := p.Published(ledgerNo)
		if head <= after {
			continue
		}
		n, err := p.publish(ctx, js, ledgerNo, after)
		if err != nil {
			delete(known, ledgerNo)
			errs = append(errs, fmt.Errorf("ledger %s: %w", ledgerNo, err))
			continue
		}
		busy = busy || n == natsBatch
	}
	return busy, errors.Join(errs...)
}

// resume makes sure the ledger's stream exists and returns the sequence
// of its last message (0: none).
func (p *Publisher) resume(ctx context.Context, js jetstream.JetStream, ledgerNo string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	l, err := p.j.Ledger(ctx, ledgerNo)
	if err != nil {
		return 0, err
	}
	// The stream keeps what the journal keeps: events are personal data,
	// and go after the ledger's retention on the bus too.
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: StreamName(ledgerNo), Subjects: []string{Subject(ledgerNo, ">")},
		Storage: jetstream.FileStorage, Duplicates: DuplicateWindow, MaxAge: l.EventRetention(),
		Description: "Kund's change journal of ledger " + ledgerNo})
	if err != nil {
		return 0, err
	}
	msg, err := stream.GetLastMsgForSubject(ctx, Subject(ledgerNo, ">"))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(msg.Header.Get("Kund-Sequence"), 10, 64)
}

// publish publishes up to a batch of a ledger's events after a sequence
// and waits for every acknowledgement; it reports how many it published.
func (p *Publisher) publish(ctx context.Context, js jetstream.JetStream, ledgerNo string, after int64) (int, error) {
	evs, err := p.j.Events(ctx, ledgerNo, customer.EventQuery{After: after, Limit: natsBatch})
	if err != nil {
		return 0, err
	}
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	for k, e := range evs {
		body, err := p.cfg.Render(e)
		if err != nil {
			return 0, fmt.Errorf("event %d of ledger %s: %w", e.Sequence, ledgerNo, err)
		}
		msg := nats.NewMsg(Subject(ledgerNo, e.Type))
		msg.Data = body
		msg.Header.Set(jetstream.MsgIDHeader, customer.EventID(e.Sequence))
		msg.Header.Set("Kund-Sequence", strconv.FormatInt(e.Sequence, 10))
		opts := []jetstream.PublishOpt{jetstream.WithExpectStream(StreamName(ledgerNo))}
		// Each message must follow the one before it in the stream: if one
		// was lost on the way, the next is refused, and publishing goes on
		// again from the stream's last message.
		if k > 0 {
			opts = append(opts, jetstream.WithExpectLastMsgID(customer.EventID(evs[k-1].Sequence)))
		} else if after > 0 {
			opts = append(opts, jetstream.WithExpectLastMsgID(customer.EventID(after)))
		}
		f, err := js.PublishMsgAsync(msg, opts...)
		if err != nil {
			return 0, err
		}
		futures = append(futures, f)
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// The acknowledgements come in order of publishing; the position moves
	// over each acknowledged event, and stops at the first that failed.
	for i, f := range futures {
		select {
		case <-f.Ok():
			p.mu.Lock()
			p.published[ledgerNo] = evs[i].Sequence
			p.mu.Unlock()
		case err := <-f.Err():
			return i, err
		case <-wait.Done():
			return i, fmt.Errorf("events: no acknowledgement from JetStream within 10 s")
		}
	}
	return len(evs), nil
}
