package httpapi

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/kund/kund/internal/customer"
)

// FuzzParseObjectFast: whenever the plain scan accepts a body, the token
// parser accepts it too, with the same members, names, values and order.
func FuzzParseObjectFast(f *testing.F) {
	for _, s := range []string{
		benchBody, `{}`, ` { } `, `{"a":1}`, `{"a":{"b":[1,{"c":"}"}]},"B":null}`, `{"a":"x\"y","b\u0041":true}`,
		`{"a":1,"A":2}`, `[1]`, `{"a":1}{}`, `{"a" : "\\" , "b":[ ] }`, "{\"a\":\"\xff\"}", `{"a":-1.5e3,"b":false}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) || !json.Valid(body) {
			return // parseObject never scans these
		}
		var p1, p2 customer.Problems
		fast, ok := parseObjectFast(body, "x.", &p1)
		if !ok {
			return
		}
		slow, err := parseObjectTokens(body, "x.", &p2)
		if err != nil {
			t.Fatalf("scan accepted %q, tokens refused: %v", body, err)
		}
		if len(fast.order) != len(slow.order) {
			t.Fatalf("%q: %d members, tokens %d", body, len(fast.order), len(slow.order))
		}
		for i := range fast.order {
			a, b := fast.order[i], slow.order[i]
			if a.name != b.name || !bytes.Equal(a.raw, b.raw) {
				t.Fatalf("%q member %d: %q=%s, tokens %q=%s", body, i, a.name, a.raw, b.name, b.raw)
			}
		}
		// A member read as a nested object reads the same either way (the
		// scanned object does not validate its members again).
		for _, m := range slow.order {
			fo, fnull := fast.obj(m.name)
			so, snull := slow.obj(m.name)
			if (fo == nil) != (so == nil) || fnull != snull || fo != nil && len(fo.order) != len(so.order) {
				t.Fatalf("%q: %s reads as object %v/%v, tokens %v/%v", body, m.name, fo, fnull, so, snull)
			}
		}
		if (p1.Err() == nil) != (p2.Err() == nil) || len(customer.ErrorProblems(p1.Err())) != len(customer.ErrorProblems(p2.Err())) {
			t.Fatalf("%q: problems %v, tokens %v", body, p1.Err(), p2.Err())
		}
	})
}

// FuzzPlainString: whenever plainString decodes a value, json.Unmarshal
// decodes it to the same string.
func FuzzPlainString(f *testing.F) {
	for _, s := range []string{`"abc"`, `""`, `"a\"b"`, `"Åsa"`, "\"\xff\"", "\"a\x01\"", `"a"b"`, `"`, `"a`, ` "a"`, `1`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := plainString(raw)
		if !ok {
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("%q: plainString gave %q, json.Unmarshal refused: %v", raw, got, err)
		}
		if got != want {
			t.Fatalf("%q: plainString gave %q, json.Unmarshal %q", raw, got, want)
		}
	})
}
