package customer

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

// TestMetadata: at most 20 keys of 1-40 characters and values of at most
// 500, without invisible characters; a PATCH merges key by key, null
// removing a key or, for the whole object, all of them.
func TestMetadata(t *testing.T) {
	l := &Ledger{No: "L", Country: "SE", CustomerNumbers: NumbersClient}
	in := valid()
	in.Metadata = map[string]string{"crm": "A-17", "segment": "retail", "Tom": ""}
	c, err := in.Validate(l, now)
	if err != nil || !reflect.DeepEqual(c.Metadata, in.Metadata) {
		t.Fatalf("create: %v %v", c.Metadata, err)
	}
	in.Metadata = map[string]string{}
	if c, err := in.Validate(l, now); err != nil || c.Metadata != nil {
		t.Fatalf("no metadata is none: %v %v", c.Metadata, err)
	}
	many := map[string]string{}
	for i := range MaxMetadata + 1 {
		many["k"+strconv.Itoa(i)] = "v"
	}
	for _, tt := range []struct {
		m      map[string]string
		fields string
	}{
		{many, "metadata"},
		{map[string]string{strings.Repeat("k", 41): "v"}, "metadata." + strings.Repeat("k", 41)},
		{map[string]string{strings.Repeat("å", 40): strings.Repeat("ä", 500)}, ""},
		{map[string]string{"k": strings.Repeat("v", 501)}, "metadata.k"},
		{map[string]string{"": "v"}, "metadata"},
		{map[string]string{"k\u202e": "v"}, "metadata.k\u202e"},
		{map[string]string{"k": "v\u200b"}, "metadata.k"},
	} {
		in := valid()
		in.Metadata = tt.m
		_, err := in.Validate(l, now)
		if got := fields(err); got != tt.fields {
			t.Errorf("%d keys: got problems %q, want %q", len(tt.m), got, tt.fields)
		}
	}

	base := c.Clone()
	base.Metadata = map[string]string{"crm": "A-17", "segment": "retail"}
	got := base.Clone()
	p := &Patch{Metadata: Set(map[string]*string{"crm": ptr("A-18"), "segment": nil, "new": ptr("x")})}
	if err := p.Apply(got); err != nil || !reflect.DeepEqual(got.Metadata, map[string]string{"crm": "A-18", "new": "x"}) {
		t.Fatalf("merge: %v %v", got.Metadata, err)
	}
	if base.Metadata["segment"] != "retail" {
		t.Fatal("Apply changed the metadata of the customer it was cloned from")
	}
	got = base.Clone()
	if err := (&Patch{Metadata: Null[map[string]*string]()}).Apply(got); err != nil || got.Metadata != nil {
		t.Fatalf("null removes all: %v %v", got.Metadata, err)
	}
	got = base.Clone()
	if err := (&Patch{Metadata: Set(map[string]*string{"crm": nil, "segment": nil})}).Apply(got); err != nil || got.Metadata != nil {
		t.Fatalf("removing every key: %v %v", got.Metadata, err)
	}
	// A PATCH that would make more than 20 keys is refused.
	got = base.Clone()
	add := map[string]*string{}
	for i := range MaxMetadata - 1 {
		add["n"+strconv.Itoa(i)] = ptr("v")
	}
	if f := fields((&Patch{Metadata: Set(add)}).Apply(got)); f != "metadata" {
		t.Fatalf("21 keys by PATCH: %q", f)
	}
}
