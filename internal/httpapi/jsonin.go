package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/edge"
)

// MaxBody is the largest request body accepted.
const MaxBody = edge.MaxBody

// readBody reads a JSON request body: the content type must be JSON, the
// size at most MaxBody, and the bytes valid UTF-8.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBody {
		return nil, customer.Errorf(customer.ETOOLARGE, "The request body must be at most %d bytes.", MaxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, customer.Errorf(customer.ETOOLARGE, "The request body must be at most %d bytes.", MaxBody)
	} else if err != nil {
		return nil, customer.ValidationError("body", "could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return body, nil
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		return nil, customer.Errorf(customer.EUNSUPPORTEDMEDIA, "The request body must be application/json.")
	}
	if !utf8.Valid(body) {
		return nil, customer.ValidationError("body", "must be valid UTF-8")
	}
	return body, nil
}

// isJSON reports whether a Content-Type is JSON: application/json or an
// application/...+json type, parameters allowed.
func isJSON(contentType string) bool {
	if contentType == "application/json" {
		return true // what nearly every client sends, and ParseMediaType makes a map
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// object is a JSON object of a request whose properties are matched
// case-insensitively. Reading a property marks it used; finish reports
// every property that was not used as unknown. Problems of every nested
// object go to one list.
type object struct {
	path    string // field path prefix for problems: "" or "legalAddress."
	members map[string]*member
	order   []*member
	p       *customer.Problems
	// valid: cut from JSON known to be valid and valid UTF-8
	// (parseObjectFast), and so are its members' raw values.
	valid bool
}

type member struct {
	name string
	raw  json.RawMessage
	used bool
}

// readOnly properties of our own representations, ignored when a client
// sends them back.
var readOnly = []string{"@id", "operations"}

// parseObjectTokens parses body as one JSON object. A duplicated property (in any
// letter case) is a problem, as is anything but an object.
func parseObjectTokens(body []byte, path string, p *customer.Problems) (*object, error) {
	field := strings.TrimSuffix(path, ".")
	if field == "" {
		field = "body"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, customer.ValidationError(field, syntaxMessage(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, customer.ValidationError(field, "must be a JSON object")
	}
	o := &object{path: path, members: map[string]*member{}, p: p}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, customer.ValidationError(field, syntaxMessage(err))
		}
		name := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, customer.ValidationError(field, syntaxMessage(err))
		}
		key := strings.ToLower(name)
		if _, dup := o.members[key]; dup {
			return nil, customer.ValidationError(path+name, "appears more than once")
		}
		m := &member{name: name, raw: raw}
		o.members[key] = m
		o.order = append(o.order, m)
	}
	if _, err := dec.Token(); err != nil {
		return nil, customer.ValidationError(field, syntaxMessage(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, customer.ValidationError(field, "must hold exactly one JSON object")
	}
	return o, nil
}

// parseBody parses a request body that must be a JSON object; an empty
// body is an empty object.
func parseBody(body []byte, p *customer.Problems) (*object, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return &object{members: map[string]*member{}, p: p}, nil
	}
	return parseObject(body, "", p)
}

func syntaxMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("is not valid JSON (at byte %d)", se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "is not valid JSON (unexpected end)"
	}
	return "is not valid JSON"
}

// take returns the property name (matched in any letter case) and marks
// it used; nil when absent.
func (o *object) take(name string) *member {
	var m *member
	var buf [64]byte
	if key, ok := lowerASCII(buf[:0], name); ok {
		m = o.members[string(key)] // looked up without making a string
	} else {
		m = o.members[strings.ToLower(name)]
	}
	if m != nil {
		m.used = true
	}
	return m
}

// lowerASCII appends strings.ToLower(s) to dst when s is ASCII, as the
// property names the handlers ask for are; false otherwise.
func lowerASCII(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return dst, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, true
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// str reads a string property; absent and null read as "".
func (o *object) str(name string) string {
	m := o.take(name)
	if m == nil || isNull(m.raw) {
		return ""
	}
	s, _ := o.stringOf(name, m)
	return s
}

// optStr reads a string property for a PATCH: nil when absent.
func (o *object) optStr(name string) *customer.Opt[string] {
	m := o.take(name)
	if m == nil {
		return nil
	}
	if isNull(m.raw) {
		return customer.Null[string]()
	}
	s, ok := o.stringOf(name, m)
	if !ok {
		return nil
	}
	return customer.Set(s)
}

// stringOf decodes the value of property name, which is not null, as a
// string; a problem when it is none.
func (o *object) stringOf(name string, m *member) (string, bool) {
	if s, ok := plainString(m.raw); ok {
		return s, true
	}
	var s string
	if err := json.Unmarshal(m.raw, &s); err != nil {
		o.p.Add(o.path+name, "must be a string")
		return "", false
	}
	return s, true
}

// plainString decodes a JSON string value without escapes, the usual
// kind, without encoding/json: its content between the quotes is the
// string when it is valid UTF-8 (json.Unmarshal would replace invalid
// bytes). Anything else reports false.
func plainString(raw []byte) (string, bool) {
	n := len(raw)
	if n < 2 || raw[0] != '"' || raw[n-1] != '"' || bytes.IndexByte(raw, '\\') >= 0 {
		return "", false
	}
	s := raw[1 : n-1]
	for _, c := range s {
		if c < 0x20 || c == '"' {
			return "", false // not one valid JSON string
		}
	}
	if !utf8.Valid(s) {
		return "", false
	}
	return string(s), true
}

// boolean reads a boolean property; absent and null read as false.
func (o *object) boolean(name string) bool {
	v := o.optBool(name)
	return v != nil && !v.Null && v.Value
}

func (o *object) optBool(name string) *customer.Opt[bool] {
	m := o.take(name)
	if m == nil {
		return nil
	}
	if isNull(m.raw) {
		return customer.Null[bool]()
	}
	var b bool
	if err := json.Unmarshal(m.raw, &b); err != nil {
		o.p.Add(o.path+name, "must be true or false")
		return nil
	}
	return customer.Set(b)
}

// obj reads a nested object; nil when absent or null. null is reported
// through the second result.
func (o *object) obj(name string) (child *object, null bool) {
	m := o.take(name)
	if m == nil {
		return nil, false
	}
	if isNull(m.raw) {
		return nil, true
	}
	var c *object
	var err error
	if o.valid {
		// Valid JSON and UTF-8 already: only the split is left to do
		// (and a property that comes twice, which the token way words).
		var ok bool
		if c, ok = parseObjectFast(m.raw, o.path+name+".", o.p); !ok {
			c, err = parseObjectTokens(m.raw, o.path+name+".", o.p)
		}
	} else {
		c, err = parseObject(m.raw, o.path+name+".", o.p)
	}
	if err != nil {
		for _, pr := range customer.ErrorProblems(err) {
			o.p.Add(pr.Field, pr.Message)
		}
		return nil, false
	}
	return c, false
}

// refuse marks properties that exist in the resource but may not be sent
// in this request.
func (o *object) refuse(message string, names ...string) {
	for _, n := range names {
		if m := o.take(n); m != nil {
			o.p.Add(o.path+m.name, message)
		}
	}
}

// finish reports every property that was neither read nor read-only.
func (o *object) finish() {
	for _, m := range o.order {
		if m.used {
			continue
		}
		ro := false
		for _, n := range readOnly {
			ro = ro || strings.EqualFold(n, m.name)
		}
		if !ro {
			o.p.Add(o.path+m.name, "is not a known property")
		}
	}
}

// stringMap reads an object of string values, such as metadata; absent and
// null read as nil. Its keys keep the letter case they were sent in, and,
// as every property name of the API, are unique in any letter case.
func (o *object) stringMap(name string) map[string]string {
	child, _ := o.obj(name)
	if child == nil {
		return nil
	}
	out := make(map[string]string, len(child.order))
	for _, m := range child.order {
		m.used = true
		if s, ok := child.stringOf(m.name, m); ok {
			out[m.name] = s
		}
	}
	return out
}

// optNullableMap reads an object for a PATCH: nil when absent, Null when
// null, else its values, where null (a nil value) removes a key.
func (o *object) optNullableMap(name string) *customer.Opt[map[string]*string] {
	child, null := o.obj(name)
	switch {
	case null:
		return customer.Null[map[string]*string]()
	case child == nil:
		return nil
	}
	out := make(map[string]*string, len(child.order))
	for _, m := range child.order {
		m.used = true
		if isNull(m.raw) {
			out[m.name] = nil
		} else if s, ok := child.stringOf(m.name, m); ok {
			out[m.name] = &s
		}
	}
	return customer.Set(out)
}

// absent reports whether property name is absent or null.
func (o *object) absent(name string) bool {
	var buf [64]byte
	key, ok := lowerASCII(buf[:0], name)
	m := o.members[strings.ToLower(name)]
	if ok {
		m = o.members[string(key)]
	}
	return m == nil || isNull(m.raw)
}

// array reads an array of objects, each with its problems named
// "name[i].field"; absent and null read as nil.
func (o *object) array(name string) []*object {
	m := o.take(name)
	if m == nil || isNull(m.raw) {
		return nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(m.raw, &raws); err != nil {
		o.p.Add(o.path+name, "must be an array")
		return nil
	}
	items := make([]*object, 0, len(raws))
	for i, raw := range raws {
		item, err := parseObject(raw, o.path+name+"["+strconv.Itoa(i)+"].", o.p)
		if err != nil {
			for _, pr := range customer.ErrorProblems(err) {
				o.p.Add(pr.Field, pr.Message)
			}
			continue
		}
		items = append(items, item)
	}
	return items
}

// strs reads an array of strings; nil when absent or null.
func (o *object) strs(name string) []string {
	m := o.take(name)
	if m == nil || isNull(m.raw) {
		return nil
	}
	var out []string
	if err := json.Unmarshal(m.raw, &out); err != nil {
		o.p.Add(o.path+name, "must be an array of strings")
		return nil
	}
	return out
}

// numOrStr reads a decimal sent as a JSON number or a string, keeping the
// digits as written: money never passes through a float.
func (o *object) numOrStr(name string) string {
	m := o.take(name)
	if m == nil || isNull(m.raw) {
		return ""
	}
	raw := bytes.TrimSpace(m.raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	} else if len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return string(raw)
	}
	o.p.Add(o.path+name, "must be a number or a string holding a decimal")
	return ""
}
