package apitest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BrowserTools are node, the directory of the browser scripts
// (test/browser, found from the test's package directory up to the
// module's root) and Chromium, which .ci/run installs. Without them the
// test is skipped, or fails when KUND_REQUIRE_NODE=1.
func BrowserTools(t testing.TB) (node, dir, chromium string) {
	t.Helper()
	missing := t.Skipf
	if os.Getenv("KUND_REQUIRE_NODE") == "1" {
		missing = t.Fatalf
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(root)
		if up == root {
			t.Fatal("apitest: no go.mod above the test's directory")
		}
		root = up
	}
	dir = filepath.Join(root, "test", "browser")
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, err = exec.LookPath("node")
	if err != nil {
		missing("no node on PATH")
	}
	for _, need := range []string{chromium, filepath.Join(dir, "node_modules", "playwright-core")} {
		if _, err := os.Stat(need); err != nil {
			missing("%s is missing (.ci/run installs it)", need)
		}
	}
	return node, dir, chromium
}
