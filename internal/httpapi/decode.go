package httpapi

import (
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/kund/kund/internal/customer"
)

// refused marks a property of the resource that a request may not send;
// its field's refuse tag says why: `_ refused `json:"uuid" refuse:"is
// assigned by Kund"“.
type refused struct{}

// decimal is a decimal number a request sends as a JSON number or as a
// string holding one (an amount), kept as its text.
type decimal string

// decodeRequest reads the request body as a JSON object into a new T, a
// wire type of wire.go. Every problem of the body, from syntax to unknown
// properties, is reported at once as a validation problem.
func decodeRequest[T any](w http.ResponseWriter, r *http.Request) (*T, error) {
	return decode(w, r, func(o *object) *T {
		v := new(T)
		decodeInto(o, reflect.ValueOf(v).Elem())
		return v
	})
}

// decodeInto fills the struct v from the object o by v's json tags, and
// then reports every property of o that no field read as unknown.
func decodeInto(o *object, v reflect.Value) {
	defer o.finish()
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		switch f.kind {
		case kindRefused:
			o.refuse(f.refuse, f.name)
			continue
		}
		if f.required && o.absent(f.name) {
			o.p.Add(o.path+f.name, "is required")
			o.take(f.name)
			continue
		}
		switch f.kind {
		case kindString:
			fv.SetString(o.str(f.name))
		case kindDecimal:
			fv.SetString(o.numOrStr(f.name))
		case kindSlice:
			items := o.array(f.name)
			if items == nil {
				continue
			}
			sv := reflect.MakeSlice(fv.Type(), len(items), len(items))
			for i, item := range items {
				decodeInto(item, sv.Index(i))
			}
			fv.Set(sv)
		case kindStrings:
			if list := o.strs(f.name); list != nil {
				fv.Set(reflect.ValueOf(list))
			}
		case kindBool:
			fv.SetBool(o.boolean(f.name))
		case kindObject:
			if child, _ := o.obj(f.name); child != nil {
				nv := reflect.New(f.elem)
				decodeInto(child, nv.Elem())
				fv.Set(nv)
			}
		case kindStringMap:
			if m := o.stringMap(f.name); m != nil {
				fv.Set(reflect.ValueOf(m))
			}
		case kindOptString:
			if opt := o.optStr(f.name); opt != nil {
				fv.Set(reflect.ValueOf(opt))
			}
		case kindOptBool:
			if opt := o.optBool(f.name); opt != nil {
				fv.Set(reflect.ValueOf(opt))
			}
		case kindOptObject:
			child, null := o.obj(f.name)
			if !null && child == nil {
				continue
			}
			opt := reflect.New(f.elem) // a customer.Opt[T]
			if null {
				opt.Elem().Field(0).SetBool(true)
			} else {
				decodeInto(child, opt.Elem().Field(1))
			}
			fv.Set(opt)
		case kindOptNullableMap:
			if opt := o.optNullableMap(f.name); opt != nil {
				fv.Set(reflect.ValueOf(opt))
			}
		}
	}
}

type fieldKind int

const (
	kindRefused        fieldKind = iota
	kindString                   // string: absent and null read as ""
	kindDecimal                  // decimal: a number, or a string holding one
	kindSlice                    // []T of a struct T: an array of objects, nil when absent or null
	kindStrings                  // []string: an array of strings, nil when absent or null
	kindBool                     // bool: absent and null read as false
	kindObject                   // *T of a struct T: a nested object, nil when absent or null
	kindStringMap                // map[string]string: an object of strings
	kindOptString                // *customer.Opt[string]: absent nil, null removes
	kindOptBool                  // *customer.Opt[bool]
	kindOptObject                // *customer.Opt[T] of a struct T
	kindOptNullableMap           // *customer.Opt[map[string]*string]: an object whose null values remove
)

type field struct {
	index    int
	name     string
	kind     fieldKind
	elem     reflect.Type // kindObject: T; kindOptObject: customer.Opt[T]
	refuse   string
	required bool // the tag required:"true": absent or null is a problem
}

var fields sync.Map // reflect.Type -> []field

// fieldsOf is the decoding plan of a wire type, made once per type. A
// field the decoder cannot read is a programming error, found at the
// first request.
func fieldsOf(t reflect.Type) []field {
	if fs, ok := fields.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Type == reflect.TypeFor[refused]() {
			fs = append(fs, field{index: i, name: sf.Tag.Get("property"), kind: kindRefused, refuse: sf.Tag.Get("refuse")})
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		f := field{index: i, name: name, required: sf.Tag.Get("required") == "true"}
		switch ft := sf.Type; {
		case ft == reflect.TypeFor[decimal]():
			f.kind = kindDecimal
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			f.kind = kindSlice
		case ft == reflect.TypeFor[[]string]():
			f.kind = kindStrings
		case ft.Kind() == reflect.String:
			f.kind = kindString
		case ft.Kind() == reflect.Bool:
			f.kind = kindBool
		case ft == reflect.TypeFor[map[string]string]():
			f.kind = kindStringMap
		case ft == reflect.TypeFor[*customer.Opt[string]]():
			f.kind = kindOptString
		case ft == reflect.TypeFor[*customer.Opt[bool]]():
			f.kind = kindOptBool
		case ft == reflect.TypeFor[*customer.Opt[map[string]*string]]():
			f.kind = kindOptNullableMap
		case ft.Kind() == reflect.Pointer && isOpt(ft.Elem()) && ft.Elem().Field(1).Type.Kind() == reflect.Struct:
			f.kind, f.elem = kindOptObject, ft.Elem()
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
			f.kind, f.elem = kindObject, ft.Elem()
		default:
			panic("httpapi: " + t.String() + "." + sf.Name + ": no decoding for " + ft.String())
		}
		fs = append(fs, f)
	}
	fields.Store(t, fs)
	return fs
}

// isOpt reports whether t is a customer.Opt[...].
func isOpt(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.PkgPath() == reflect.TypeFor[customer.Opt[bool]]().PkgPath() &&
		strings.HasPrefix(t.Name(), "Opt[")
}
