package worldline_test

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
)

// sdkDir holds the package.json and package-lock.json of the real
// Worldline SDKs (and jsdom); `npm ci` installs them there.
var sdkDir = filepath.Join("testdata", "sdk")

// requireNode finds node and npm and installs the SDKs. Without them the
// test is skipped, unless KUND_REQUIRE_NODE=1 (as in .ci/run) makes that
// a failure.
func requireNode(t *testing.T) string {
	t.Helper()
	node, err1 := exec.LookPath("node")
	npm, err2 := exec.LookPath("npm")
	if err1 != nil || err2 != nil {
		if os.Getenv("KUND_REQUIRE_NODE") == "1" {
			t.Fatal("node and npm are required (KUND_REQUIRE_NODE=1)")
		}
		t.Skip("node or npm not installed")
	}
	if _, err := os.Stat(filepath.Join(sdkDir, "node_modules", "connect-sdk-nodejs", "package.json")); err != nil {
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = sdkDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	return node
}

func runNode(t *testing.T, node, script string, args ...string) map[string]any {
	t.Helper()
	cmd := exec.Command(node, append([]string{script}, args...)...)
	cmd.Dir = sdkDir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
		}
	}()
	out, err := cmd.Output()
	close(done)
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("node %s printed %q: %v", script, out, err)
	}
	return m
}

func TestRealSDKs(t *testing.T) {
	node := requireNode(t)
	e, keyID, secret := start(t, apitest.SQLite)
	// The SDK dates its requests with the real clock, and so does this
	// Kund (apitest starts its clock at time.Now).
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(e.URL, "http://"))

	srv := runNode(t, node, "server.js", host, port, keyID, secret, "4711", "19811218-9876", "19900101-2385")
	session := srv["session"].(map[string]any)
	if session["status"] != 201.0 || session["success"] != true {
		t.Fatalf("server SDK session: %v", session)
	}
	want := map[string]any{"city": "STOCKHOLM", "country": "SE", "emailAddress": "britt@axelstopp.com", "firstName": "Britt-Marie",
		"fiscalNumber": "19811218-9876", "languageCode": "", "phoneNumber": "0720000000", "street": "The street 18", "surname": "Axelstopp", "zip": "15961"}
	found := srv["found"].(map[string]any)
	if found["status"] != 200.0 || !reflect.DeepEqual(found["body"], want) {
		t.Fatalf("server SDK customerDetails: %v", found)
	}
	miss := srv["notFound"].(map[string]any)
	if miss["status"] != 400.0 || miss["success"] != false || !strings.Contains(mustJSON(miss["body"]), `"id":"CUSTOMER_DETAILS_NOT_FOUND"`) {
		t.Fatalf("server SDK not found: %v", miss)
	}
	if denied := srv["denied"].(map[string]any); denied["status"] != 401.0 {
		t.Fatalf("server SDK with a wrong secret: %v", denied)
	}

	cl := runNode(t, node, "client.js", e.URL+"/shop/checkout", mustJSON(session["body"]), "19811218-9876", "19900101-2385")
	product := cl["product"].(map[string]any)
	if product["id"] != 9000.0 || product["logo"] == nil || !reflect.DeepEqual(product["lookupFields"], []any{"fiscalNumber"}) {
		t.Fatalf("client SDK product: %v", product)
	}
	if f := cl["found"].(map[string]any); f["ok"] != true || !reflect.DeepEqual(f["value"], want) {
		t.Fatalf("client SDK customer details: %v", f)
	}
	nf := cl["notFound"].(map[string]any)
	if nf["ok"] != false || !strings.Contains(mustJSON(nf["error"]), `"code":"1214"`) {
		t.Fatalf("client SDK not found: %v", nf)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
