package httpapi_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/app"
)

// each runs fn once per backend.
func each(t *testing.T, fn func(t *testing.T, e *apitest.Env)) { eachWith(t, nil, fn) }

// eachWith is each with a configuration hook (apitest.StartWith).
func eachWith(t *testing.T, configure func(*app.Config), fn func(t *testing.T, e *apitest.Env)) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, apitest.StartWith(t, b, configure)) })
	}
}

// sandbox mounts the sandbox card gateway, as `kund serve --card-gateway
// sandbox` and `kund demo` do.
func sandbox(c *app.Config) { c.CardGateway = "sandbox" }

// want fails the test when the response status is not status.
func want(t *testing.T, res *apitest.Response, status int) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d\n%s", res.Status, status, res.Body)
	}
}

// problem checks that res is a problem of type code with status, and that
// its problems name exactly the given fields (in any order).
func problem(t *testing.T, res *apitest.Response, status int, code string, fields ...string) {
	t.Helper()
	want(t, res, status)
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type: got %q, want application/problem+json", ct)
	}
	var p struct {
		Type     string              `json:"type"`
		Title    string              `json:"title"`
		Status   int                 `json:"status"`
		Detail   string              `json:"detail"`
		Instance string              `json:"instance"`
		Problems []map[string]string `json:"problems"`
	}
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatalf("problem body: %v\n%s", err, res.Body)
	}
	if p.Type != "ledger/customer/v1/problems/"+code {
		t.Fatalf("problem type: got %q, want %q\n%s", p.Type, "ledger/customer/v1/problems/"+code, res.Body)
	}
	if p.Status != status || p.Title == "" || p.Detail == "" {
		t.Fatalf("problem status/title/detail: %s", res.Body)
	}
	if p.Instance == "" || p.Instance != res.Header.Get("Request-Id") {
		t.Fatalf("instance %q is not the Request-Id header %q", p.Instance, res.Header.Get("Request-Id"))
	}
	var got []string
	for _, pr := range p.Problems {
		if len(pr) != 1 {
			t.Fatalf("each problem must name one field: %s", res.Body)
		}
		for f, msg := range pr {
			if msg == "" {
				t.Fatalf("problem of %s has no message", f)
			}
			got = append(got, f)
		}
	}
	sort.Strings(got)
	sort.Strings(fields)
	if fmt.Sprint(got) != fmt.Sprint(fields) {
		t.Fatalf("problem fields: got %v, want %v\n%s", got, fields, res.Body)
	}
}

// jsonEqual fails the test when got (a response body) is not the JSON
// value want, compared property by property.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("expectation is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		var diffs []string
		diff("", g, w, &diffs)
		t.Fatalf("response differs:\n  %s\ngot:  %s", strings.Join(diffs, "\n  "), got)
	}
}

func diff(path string, g, w any, out *[]string) {
	gm, gok := g.(map[string]any)
	wm, wok := w.(map[string]any)
	if gok && wok {
		for k, wv := range wm {
			gv, ok := gm[k]
			if !ok {
				*out = append(*out, fmt.Sprintf("%s%s: missing, want %v", path, k, wv))
				continue
			}
			diff(path+k+".", gv, wv, out)
		}
		for k, gv := range gm {
			if _, ok := wm[k]; !ok {
				*out = append(*out, fmt.Sprintf("%s%s: unexpected %v", path, k, gv))
			}
		}
		return
	}
	if !reflect.DeepEqual(g, w) {
		*out = append(*out, fmt.Sprintf("%s: got %v, want %v", strings.TrimSuffix(path, "."), g, w))
	}
}
