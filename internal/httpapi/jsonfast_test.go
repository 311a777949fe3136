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
