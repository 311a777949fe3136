package main_test

import (
	"regexp"
	"strconv"
	"testing"
)

// TestCrash is the short crash test of the test command: ten kill -9
// rounds of at most half a second under four writers, with a webhook that
// must get every acknowledged write's event. `kund crashtest` with its
// defaults is the long one (docs/reliability.md).
func TestCrash(t *testing.T) {
	out := mustRun(t, nil, "crashtest", "--rounds", "10", "--seconds", "0.5", "--workers", "4", "--dir", t.TempDir())
	m := regexp.MustCompile(`crashtest ok: 10 rounds survived, (\d+) requests, (\d+) writes acknowledged.*the webhook got all (\d+) events`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("unexpected report:\n%s", out)
	}
	if acked, _ := strconv.Atoi(m[2]); acked == 0 {
		t.Fatalf("no write was acknowledged, so nothing was tested:\n%s", out)
	}
	t.Log(out)
}
