package httpapi_test

// A browser test of the sandbox card gateway: headless Chromium driven by
// playwright-core (test/browser) types a card on the verification page, or
// cancels, and lands on completeUrl or cancelUrl. .ci/run installs Chromium
// and playwright-core; without them the test is skipped (fails with
// KUND_REQUIRE_NODE=1, as in CI).

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

func TestSandboxPageInABrowser(t *testing.T) {
	node, dir, chromium := apitest.BrowserTools(t)
	e := apitest.StartWith(t, apitest.SQLite, sandbox)
	tok := seedLedger(e)
	want(t, e.Call("POST", ledgerPath+"/customers", tok, seedCreate), 201)
	cons := e.Token("XXX", customer.ScopeRead, customer.ScopeConsents)
	for _, c := range []struct{ action, status string }{{"cancel", "Aborted"}, {"register", "Completed"}} {
		complete, cancel := e.URL+"/shop/complete", e.URL+"/shop/cancel"
		res := e.Call("POST", registrationPath, cons, `{"completeUrl":"`+complete+`","cancelUrl":"`+cancel+`","language":"sv-SE"}`)
		want(t, res, 200)
		expect := complete
		if c.action == "cancel" {
			expect = cancel
		}
		ctx, stop := context.WithTimeout(context.Background(), 90*time.Second)
		cmd := exec.CommandContext(ctx, node, "card.mjs")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PAGE="+res.JSON(t)["redirectUrl"].(string), "ACTION="+c.action, "EXPECT="+expect, "CHROMIUM="+chromium)
		out, err := cmd.CombinedOutput()
		stop()
		if err != nil {
			t.Fatalf("%s in the browser: %v\n%s", c.action, err, out)
		}
		if s := registrationStatus(t, e, tok); s != c.status {
			t.Fatalf("%s: status %s, want %s", c.action, s, c.status)
		}
	}
	res := e.Call("GET", consentPath+"/recurring-card", tok, "")
	want(t, res, 200)
	if m := res.JSON(t); m["instrumentDisplayName"] != "551000******1232" || m["cardExpiryDate"] != "04/2035" {
		t.Fatalf("consent: %s", res.Body)
	}
}

// TestReferencePageInABrowser: /docs draws api/openapi.yaml in headless
// Chromium, lists the customer routes, and asks no other host for
// anything (test/browser/docs.mjs).
func TestReferencePageInABrowser(t *testing.T) {
	node, dir, chromium := apitest.BrowserTools(t)
	e := apitest.Start(t, apitest.SQLite)
	ctx, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()
	cmd := exec.CommandContext(ctx, node, "docs.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PAGE="+e.URL+"/docs", "CHROMIUM="+chromium, "SCREENSHOT="+filepath.Join(t.TempDir(), "docs.png"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the reference in the browser: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
