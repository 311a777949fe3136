package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The webhooks scenario: creates at full concurrency while Kund delivers
// each customer.created event to a receiver of the bench's own, on
// 127.0.0.1. It measures the events delivered per second and the time
// from a create's answer (its commit) to the receiver having the event.

// WebhookStats are the figures of the webhooks scenario.
type WebhookStats struct {
	Acknowledged int     `json:"acknowledgedCreates"`
	Delivered    int     `json:"delivered"`
	Duplicates   int     `json:"duplicates"`
	PerSecond    float64 `json:"deliveredPerSecond"`
	P50          float64 `json:"commitToDeliveryP50Ms"`
	P99          float64 `json:"commitToDeliveryP99Ms"`
	Max          float64 `json:"commitToDeliveryMaxMs"`
	// Drain is how long the last deliveries came after the last create.
	Drain float64 `json:"drainMs"`
}

type webhookReceiver struct {
	mu        sync.Mutex
	arrived   map[string]time.Time // by customer number
	dups      int
	last      time.Time
	srv       *http.Server
	url       string
	delivered atomic.Int64
}

func startReceiver() (*webhookReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &webhookReceiver{arrived: map[string]time.Time{}, url: "http://" + ln.Addr().String() + "/kund-events"}
	rc.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		now := time.Now()
		var ev struct {
			CustomerNo string `json:"customerNo"`
		}
		json.Unmarshal(body, &ev)
		rc.mu.Lock()
		if _, ok := rc.arrived[ev.CustomerNo]; ok {
			rc.dups++
		} else {
			rc.arrived[ev.CustomerNo] = now
		}
		rc.last = now
		rc.mu.Unlock()
		rc.delivered.Add(1)
	})}
	go rc.srv.Serve(ln)
	return rc, nil
}

// runWebhooks registers a webhook, drives creates and waits for their
// deliveries (at most 30 s after the last create).
func runWebhooks(ctx context.Context, client *http.Client, tok, kundURL string, cfg Config, seq *atomic.Int64) (Stats, *WebhookStats, error) {
	rc, err := startReceiver()
	if err != nil {
		return Stats{}, nil, err
	}
	defer rc.srv.Close()
	req, _ := http.NewRequest("POST", kundURL+"/webhooks", strings.NewReader(`{"url":"`+rc.url+`","events":["customer.created"],"description":"kund bench"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return Stats{}, nil, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return Stats{}, nil, fmt.Errorf("bench: the webhook was refused: %s %s", res.Status, body)
	}
	var hook struct {
		ID string `json:"@id"`
	}
	json.Unmarshal(body, &hook)
	defer func() {
		req, _ := http.NewRequest("DELETE", "http://"+req.URL.Host+hook.ID, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
		}
	}()

	var mu sync.Mutex
	acked := map[string]time.Time{}
	var samples []sample
	deadline := time.Now().Add(time.Duration(cfg.Rounds) * cfg.Duration)
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				no := fmt.Sprint(500_000_000_000_000 + seq.Add(1))
				body := []byte(`{"customerNo":"` + no + `","name":"Bench Webhook","emailAddress":"bench@example.se",` +
					`"legalAddress":{"addressee":"Bench Webhook","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`)
				req, _ := http.NewRequest("POST", kundURL+"/customers", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				start := time.Now()
				res, err := client.Do(req)
				ok := err == nil
				if ok {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					ok = res.StatusCode == http.StatusCreated
				}
				done := time.Now()
				mu.Lock()
				samples = append(samples, sample{done.Sub(start), ok})
				if ok {
					acked[no] = done
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	lastAck := time.Now()
	for wait := time.Now().Add(30 * time.Second); time.Now().Before(wait) && int(rc.delivered.Load()) < len(acked); {
		time.Sleep(10 * time.Millisecond)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	st := &WebhookStats{Acknowledged: len(acked), Duplicates: rc.dups}
	var lat []time.Duration
	var first time.Time
	for no, at := range acked {
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if got, ok := rc.arrived[no]; ok {
			st.Delivered++
			lat = append(lat, max(0, got.Sub(at)))
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		at := func(q float64) float64 { return ms(lat[min(len(lat)-1, int(q*float64(len(lat))))]) }
		st.P50, st.P99, st.Max = at(0.5), at(0.99), ms(lat[len(lat)-1])
		st.PerSecond = float64(st.Delivered) / rc.last.Sub(first).Seconds()
		st.Drain = ms(max(0, rc.last.Sub(lastAck)))
	}
	return summarise(samples, time.Duration(cfg.Rounds)*cfg.Duration), st, nil
}
