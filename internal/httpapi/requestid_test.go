package httpapi

import "testing"

func TestNewRequestIDIsRandomUUID(t *testing.T) {
	seen := map[string]bool{}
	// More than one block of random bytes, so a refill is crossed.
	for range 200 {
		id := newRequestID()
		if !validRequestID(id) {
			t.Fatalf("%q is not a UUID", id)
		}
		if id[14] != '4' || !(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') {
			t.Fatalf("%q is not a version 4, RFC 4122 variant UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q twice", id)
		}
		seen[id] = true
	}
}
