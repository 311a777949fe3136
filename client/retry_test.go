package client

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	soon := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	late := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	for v, want := range map[string]bool{"0": true, "5": true, "31": false, "9300000000": false, "-1": false, soon: true, late: false, "soon": false, "": false} {
		w, ok := retryAfter(v, 30*time.Second)
		if ok != want || w < 0 || w > 30*time.Second {
			t.Errorf("Retry-After %q: %v %v", v, w, ok)
		}
	}
}
