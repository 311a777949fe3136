package sqlstore

import (
	"bytes"
	"testing"
)

func testPermutation(t *testing.T, key byte) permutation {
	t.Helper()
	p, err := newPermutation(bytes.Repeat([]byte{key}, 16))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPermutation: the uuids of consecutive numbers have ten digits, are
// distinct, give their number back, and look nothing like a count; another
// key gives other uuids.
func TestPermutation(t *testing.T) {
	p, q := testPermutation(t, 1), testPermutation(t, 2)
	seen := map[string]bool{}
	same, ascending := 0, 0
	prev := ""
	for _, n := range append(rangeOf(1, 20_000), rangeOf(uuidSpace-2_000, uuidSpace)...) {
		u := p.uuidOf(customerPrefix, n)
		if len(u) != 14 || u[:4] != customerPrefix {
			t.Fatalf("uuid of %d: %q", n, u)
		}
		if seen[u] {
			t.Fatalf("uuid %s twice", u)
		}
		seen[u] = true
		if back, ok := p.numberOf(customerPrefix, u); !ok || back != n {
			t.Fatalf("number of %s: %d, %v; want %d", u, back, ok, n)
		}
		if q.uuidOf(customerPrefix, n) == u {
			same++
		}
		if u > prev {
			ascending++
		}
		prev = u
	}
	if same > 2 {
		t.Fatalf("two keys gave %d equal uuids", same)
	}
	// Random order ascends about half the time.
	if frac := float64(ascending) / float64(len(seen)); frac < 0.45 || frac > 0.55 {
		t.Fatalf("uuids ascend %.2f of the time", frac)
	}
}

// TestPermutationWholeDomain: the Feistel network is a bijection of its
// 34 bits (checked on a slice of it), so the walk below 10^10 is too.
func TestPermutationWholeDomain(t *testing.T) {
	p := testPermutation(t, 3)
	b := new(block)
	for x := uint64(0); x < 1<<18; x++ {
		if got := p.backward(b, p.forward(b, x)); got != x {
			t.Fatalf("backward(forward(%d)) = %d", x, got)
		}
		if got := p.forward(b, p.backward(b, x)); got != x {
			t.Fatalf("forward(backward(%d)) = %d", x, got)
		}
		if y := p.forward(b, x); y >= 1<<34 {
			t.Fatalf("forward(%d) = %d, outside 34 bits", x, y)
		}
	}
}

func TestNumberOfRefusesOtherForms(t *testing.T) {
	p := testPermutation(t, 4)
	for _, u := range []string{"", "CSRT", "CSRT123456789", "CSRT12345678901", "ADRS1234567890", "CSRT12345678x0", "CSRT+123456789", "csrt1234567890"} {
		if n, ok := p.numberOf(customerPrefix, u); ok {
			t.Errorf("numberOf(%q) = %d, want refused", u, n)
		}
	}
}

func rangeOf(from, to int64) []int64 {
	var ns []int64
	for n := from; n < to; n++ {
		ns = append(ns, n)
	}
	return ns
}
