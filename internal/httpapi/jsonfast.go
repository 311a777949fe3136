package httpapi

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/kund/kund/internal/customer"
)

// parseObject parses body as one JSON object (see parseObjectTokens for
// the rules). Decoding token by token cost ~60 µs and 449 allocations for
// a typical create body (BenchmarkDecodeCreateBody), most of an import
// row's CPU; so a body that is valid JSON and valid UTF-8 is instead cut
// into its members by a plain scan, which is then correct by construction.
// Anything else, and a duplicated property, goes the token way, which
// words every problem; FuzzParseObjectFast checks both ways agree.
func parseObject(body []byte, path string, p *customer.Problems) (*object, error) {
	if utf8.Valid(body) && json.Valid(body) {
		if o, ok := parseObjectFast(body, path, p); ok {
			return o, nil
		}
	}
	return parseObjectTokens(body, path, p)
}

// parseObjectFast splits valid JSON that is an object into its members;
// false when it is not an object or a property comes twice.
func parseObjectFast(body []byte, path string, p *customer.Problems) (*object, bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	o := &object{path: path, members: map[string]*member{}, order: make([]*member, 0, 8), p: p, valid: true}
	i = skipSpace(body, i+1)
	if body[i] == '}' {
		i++
	} else {
		for {
			i = skipSpace(body, i)
			end, escaped := skipString(body, i)
			name := string(body[i+1 : end-1])
			if escaped {
				var ok bool
				if name, ok = unescapeName(body[i:end]); !ok {
					return nil, false
				}
			}
			i = skipSpace(body, skipSpace(body, end)+1) // past ':'
			vend := skipValue(body, i)
			key := strings.ToLower(name)
			if _, dup := o.members[key]; dup {
				return nil, false
			}
			m := &member{name: name, raw: json.RawMessage(body[i:vend])}
			o.members[key] = m
			o.order = append(o.order, m)
			i = skipSpace(body, vend)
			if body[i] == ',' {
				i++
				continue
			}
			i++ // '}'
			break
		}
	}
	return o, skipSpace(body, i) == len(body)
}

// unescapeName decodes a property name with escapes. It is a function of
// its own so that the names without escapes, nearly all, are not moved to
// the heap for json.Unmarshal.
func unescapeName(quoted []byte) (string, bool) {
	var name string
	if json.Unmarshal(quoted, &name) != nil {
		return "", false
	}
	return name, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'
// and whether it has escapes.
func skipString(b []byte, i int) (int, bool) {
	escaped := false
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			return i + 1, escaped
		}
	}
	return i, escaped
}

// skipValue returns the index after the (valid) value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		end, _ := skipString(b, i)
		return end
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i, _ = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
		i++
	}
	return i
}
