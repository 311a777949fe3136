package events

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true, "8.8.8.8": true,
		"127.0.0.1": false, "::1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false,
		"224.0.0.1": false, "255.255.255.255": false, "198.18.0.1": false,
		"64:ff9b:1::a00:1": false, "2002:a00:1::": false, "::127.0.0.1": false, "fec0::1": false,
	} {
		if got := public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	check := CheckURL(false)
	for raw, ok := range map[string]bool{
		"https://93.184.216.34/hook": true,
		"http://93.184.216.34/hook":  false,
		"https://127.0.0.1/hook":     false,
		"https://[::1]:8443/hook":    false,
		"https://localhost/hook":     false,
	} {
		u, _ := url.Parse(raw)
		if err := check(context.Background(), u); (err == nil) != ok {
			t.Errorf("%s: %v", raw, err)
		}
	}
	u, _ := url.Parse("http://127.0.0.1:9/hook")
	if err := CheckURL(true)(context.Background(), u); err != nil {
		t.Errorf("insecure: %v", err)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_780_000_000, 0)
	body := []byte(`{"eventId":"EVT0000000001"}`)
	h := Sign("whsec_k", now, body)
	if !strings.HasPrefix(h, "t=1780000000,v1=") {
		t.Fatalf("header %s", h)
	}
	if err := Verify("whsec_k", h, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other secret": Verify("whsec_x", h, body, now, 5*time.Minute),
		"other body":   Verify("whsec_k", h, []byte(`{}`), now, 5*time.Minute),
		"too old":      Verify("whsec_k", h, body, now.Add(10*time.Minute), 5*time.Minute),
		"no header":    Verify("whsec_k", "", body, now, 5*time.Minute),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestDefaultBackoff(t *testing.T) {
	var total time.Duration
	attempts := 0
	for total < customer.WebhookRetryWindow {
		attempts++
		total += DefaultBackoff(attempts)
	}
	if attempts < 10 || attempts > 20 || DefaultBackoff(1) != 30*time.Second || DefaultBackoff(40) != 12*time.Hour {
		t.Fatalf("%d attempts in three days; first wait %v, last %v", attempts, DefaultBackoff(1), DefaultBackoff(40))
	}
}

// TestRefusesPrivateAtConnect: a name that resolved to a public address
// when the webhook was made may resolve to a private one later; the
// connection itself is refused, and the receiver never sees the event.
func TestRefusesPrivateAtConnect(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	d := NewDeliverer(nil, Config{Render: func(*customer.Event) ([]byte, error) { return []byte(`{}`), nil }})
	o := d.attempt(context.Background(), &customer.PendingDelivery{
		Delivery: &customer.Delivery{ID: 1, Attempts: 1, Deadline: time.Now().Add(time.Hour)},
		Webhook:  &customer.Webhook{URL: srv.URL, Secret: "whsec_k"},
		Event:    &customer.Event{Sequence: 1, Type: customer.EventCustomerCreated},
	})
	if hit || o.State != customer.DeliveryPending || o.Error != "the URL resolves to an address that is not public" {
		t.Fatalf("hit %v, outcome %+v", hit, o)
	}
}

// TestShellVerification: the openssl pipeline docs/events.md gives a
// receiver computes the v1 of Sign.
func TestShellVerification(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	body := []byte(`{"eventId":"EVT0000000001","customerNo":"9999"}`)
	if err := os.WriteFile(filepath.Join(dir, "body.json"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", `printf '%s.' "$T" | cat - body.json | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.*= //'`)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "T=1780000000", "SECRET=whsec_abc-_9")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(Sign("whsec_abc-_9", time.Unix(1780000000, 0), body), "t=1780000000,v1=")
	if strings.TrimSpace(string(out)) != want {
		t.Fatalf("openssl says %s, Sign %s", out, want)
	}
}
