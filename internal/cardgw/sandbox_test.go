package cardgw

import (
	"context"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
)

func TestCheckCard(t *testing.T) {
	now := time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		number, expiry, cvc string
		ok                  bool
		masked              string
	}{
		{"5510 0000 0000 1232", "04/35", "123", true, "551000******1232"},
		{"4111111111111111", "05/2026", "1234", true, "411111******1111"},
		{"378282246310005", "12/30", "1234", true, "378282*****0005"},
		{"5510 0000 0000 1233", "04/35", "123", false, ""}, // Luhn
		{"55100000001", "04/35", "123", false, ""},         // too short
		{"5510-0000-0000-123x", "04/35", "123", false, ""}, // letters
		{"4111111111111111", "04/26", "123", false, ""},    // expired
		{"4111111111111111", "13/30", "123", false, ""},    // no month 13
		{"4111111111111111", "4/30", "123", false, ""},     // MM
		{"4111111111111111", "04/30", "12", false, ""},     // CVC
		{"4111111111111111", "04/30", "12a", false, ""},    // CVC
	} {
		card, msg := CheckCard(c.number, c.expiry, c.cvc, now)
		if (msg == "") != c.ok {
			t.Fatalf("%s %s %s: message %q", c.number, c.expiry, c.cvc, msg)
		}
		if c.ok && card.masked() != c.masked {
			t.Fatalf("%s: masked %s, want %s", c.number, card.masked(), c.masked)
		}
	}
}

func TestBeginUsesThePublicURL(t *testing.T) {
	reg := &customer.CardRegistration{ID: "abc"}
	g := &Sandbox{}
	if u, _ := g.Begin(context.Background(), reg, "http://127.0.0.1:8080"); u != "http://127.0.0.1:8080/sandbox/card-registrations/abc" {
		t.Fatalf("without a public URL: %s", u)
	}
	g.Base = "https://kund.example.com/"
	if u, _ := g.Begin(context.Background(), reg, "http://127.0.0.1:8080"); u != "https://kund.example.com/sandbox/card-registrations/abc" {
		t.Fatalf("with a public URL: %s", u)
	}
}
