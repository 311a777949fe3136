package console_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/operator"
)

// TestConsoleInABrowser is the console as its users meet it, in Chromium
// (test/browser/console.mjs). KUND_SCREENSHOTS=DIR keeps its screenshots
// there (docs/console holds those of docs/console.md).
func TestConsoleInABrowser(t *testing.T) {
	node, dir, chromium := apitest.BrowserTools(t)
	k := start(t, apitest.SQLite)
	k.customer("L-1", "4711", "Britt-Marie Axelstopp", "19811218-9876", "britt@axelstopp.com", "+46701234567", false)
	k.customer("L-1", "4712", "Sven Svensson", "19900101-0017", "sven@example.se", "+46702222222", false)
	if res := k.Call("PUT", "/ledger/customer/v1/L-1/customers/4711/products", k.tok["L-1"], `{"products":[{"productCode":"news","validTo":"2027-01-01T00:00:00Z"}]}`); res.Status != 200 {
		t.Fatalf("products: %d", res.Status)
	}
	k.operator("anna", operator.Agent, "L-1")
	k.operator("ove", operator.Admin, "L-1", "L-2")
	shots := os.Getenv("KUND_SCREENSHOTS")
	if shots != "" {
		shots, _ = filepath.Abs(shots)
	}
	ctx, stop := context.WithTimeout(context.Background(), 3*time.Minute)
	defer stop()
	cmd := exec.CommandContext(ctx, node, "console.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BASE="+k.URL, "AGENT=anna:"+password, "ADMIN=ove:"+password, "CUSTOMER=4711",
		"PHONE=070-123 45 67", "REGNO=811218-9876", "SHOTS="+shots, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the console in the browser: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	// What the browser did is in the journal, by the operators who did it.
	hist := string(k.Call("GET", "/ledger/customer/v1/L-1/events?take=100", k.tok["L-1"], "").Body)
	for _, want := range []string{`"id":"anna"`, `"type":"customer.erased"`, `"id":"ove"`} {
		if !strings.Contains(hist, want) {
			t.Fatalf("the journal lacks %s:\n%s", want, hist)
		}
	}
}
