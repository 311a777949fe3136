package events

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Where a webhook may send to: an https:// URL whose host resolves only to
// public addresses, so that a token holder cannot make Kund reach the
// machines beside it. The check runs when the webhook is created and again
// on every connection (a name can resolve elsewhere later).
// --webhooks-allow-insecure lifts both rules, for tests and development.

// CheckURL returns the check of a webhook URL for customer.Service.
func CheckURL(allowInsecure bool) func(ctx context.Context, u *url.URL) error {
	return func(ctx context.Context, u *url.URL) error {
		if allowInsecure {
			return nil
		}
		if u.Scheme != "https" {
			return errors.New("must be an https:// URL (kund serve --webhooks-allow-insecure allows http:// for tests)")
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		// The answer never says what a name resolved to: it would map a
		// network's internal names for whoever asks.
		refused := errors.New("must be a host that resolves to public addresses only (not loopback, private or link-local)")
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", u.Hostname())
		if err != nil || len(addrs) == 0 {
			return refused
		}
		for _, a := range addrs {
			if !public(a) {
				return refused
			}
		}
		return nil
	}
}

// public reports whether a is an address of the internet at large.
func public(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// reserved are the further ranges that are not the internet (RFC 6890).
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64 of any IPv4, private ones too
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("2002::/16"),      // 6to4, which embeds any IPv4
	netip.MustParsePrefix("::/96"),          // IPv4-compatible (deprecated)
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
	netip.MustParsePrefix("100::/64"),       // discard
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
}

// dialControl refuses a connection to an address that is not public.
func dialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	if !public(ap.Addr()) {
		return fmt.Errorf("events: %s is not a public address", ap.Addr())
	}
	return nil
}
