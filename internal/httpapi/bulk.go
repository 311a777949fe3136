package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"unicode/utf8"

	"github.com/kund/kund/internal/customer"
)

// DecodeCreateBody reads one create-customer body exactly as POST
// .../customers does (so `kund import` accepts and refuses the same
// things): a JSON object, every problem reported as a validation error.
func DecodeCreateBody(body []byte) (*customer.NewCustomer, error) {
	var p customer.Problems
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, customer.ValidationError("body", "must be a JSON object")
	}
	if !utf8.Valid(body) {
		return nil, customer.ValidationError("body", "must be valid UTF-8") // as readBody
	}
	o, err := parseObject(body, "", &p)
	if err != nil {
		return nil, err
	}
	var in createRequest
	decodeInto(o, reflect.ValueOf(&in).Elem())
	if err := p.Err(); err != nil {
		return nil, err
	}
	return in.input(), nil
}

// AppendCreateBody appends c as a one-line create request to buf.
// Properties that a create cannot set (uuid, legal status, consents) are
// not part of it.
func AppendCreateBody(buf []byte, c *customer.Customer) []byte {
	w := bytes.NewBuffer(buf)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(createRequestOf(c)) // cannot fail: only strings, bools and maps of strings
	return w.Bytes()
}

// Column is a property of a create request as one flat column: a nested
// object's properties are named by their path ("legalAddress.city").
type Column struct {
	Name string
	// JSON says how a cell of the column is read: "string", "bool", or
	// "object" (the cell holds a JSON object, such as metadata).
	JSON string
}

// CreateColumns are the columns of a create request, in its order, made
// from the wire type: what `kund import` takes from a CSV file.
func CreateColumns() []Column {
	var cols []Column
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for _, f := range fieldsOf(t) {
			switch f.kind {
			case kindString:
				cols = append(cols, Column{prefix + f.name, "string"})
			case kindBool:
				cols = append(cols, Column{prefix + f.name, "bool"})
			case kindStringMap:
				cols = append(cols, Column{prefix + f.name, "object"})
			case kindObject:
				walk(prefix+f.name+".", f.elem)
			}
		}
	}
	walk("", reflect.TypeFor[createRequest]())
	return cols
}
