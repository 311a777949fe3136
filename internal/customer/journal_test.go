package customer

import (
	"reflect"
	"testing"
	"time"
)

// A change's former state is decoded from the state after and the fields
// that changed, whatever they are: a key gone from a map, a pointer that
// became nil, a slice emptied, a string cleared.
func TestSnapshotOfAChange(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 15, 0, 123456000, time.UTC)
	before := &Customer{LedgerNo: "L", No: "1", Name: "Kari", Email: "kari@example.no",
		Metadata: map[string]string{"a": "1", "b": "2"}, ActiveConsents: []string{"Kivra"},
		BillingAddress: &Address{UUID: "ADRS0000000001", City: "OSLO"}, Version: 1, CreatedAt: at, UpdatedAt: at}
	after := before.Clone()
	after.Email, after.Metadata, after.ActiveConsents, after.BillingAddress = "", map[string]string{"a": "1"}, []string{}, nil
	after.Version, after.UpdatedAt = 2, at.Add(time.Second)

	object, previous := EncodeSnapshot(after), EncodeChange(after, before)
	var gotAfter, gotBefore Customer
	if err := DecodeSnapshot(object, &gotAfter); err != nil {
		t.Fatal(err)
	}
	if err := DecodeChange(object, previous, &gotBefore); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&gotAfter, after) {
		t.Fatalf("after:\n got %+v\nwant %+v", gotAfter, after)
	}
	if !reflect.DeepEqual(&gotBefore, before) {
		t.Fatalf("before:\n got %+v\nwant %+v", gotBefore, before)
	}
	if want := `{"Email":"kari@example.no","Metadata":{"a":"1","b":"2"},"ActiveConsents":["Kivra"],"BillingAddress":{"UUID":"ADRS0000000001","Addressee":"","StreetAddress":"","CoAddress":"","City":"OSLO","ZipCode":"","CountryCode":""},"Version":1,"UpdatedAt":"2026-12-03T10:15:00.123456Z"}`; string(previous) != want {
		t.Fatalf("previous keeps only what changed:\n got %s\nwant %s", previous, want)
	}
	if err := DecodeChange(object, []byte(`{"Nope":1}`), &gotBefore); err == nil {
		t.Fatal("a field the type does not have decoded")
	}
}
