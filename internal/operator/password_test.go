package operator

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordHashing(t *testing.T) {
	const p = "korrekt häst batteri"
	h, err := HashPassword(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || len(strings.Split(h, "$")) != 6 {
		t.Fatalf("not a PHC argon2id string: %q", h)
	}
	if strings.Contains(h, p) {
		t.Fatal("the hash holds the password")
	}
	if !VerifyPassword(h, p) {
		t.Fatal("the password does not match its hash")
	}
	for _, wrong := range []string{"korrekt häst batteriX", "Korrekt häst batteri", "", strings.Repeat("x", 2000)} {
		if VerifyPassword(h, wrong) {
			t.Errorf("%q matches", wrong)
		}
	}
	h2, _ := HashPassword(p)
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no random salt")
	}
	// The parameters come from the hash, so stronger ones later still
	// check the hashes of today.
	if !VerifyPassword(h2, p) {
		t.Fatal("second hash")
	}
}

func TestVerifyRefusesBrokenHashes(t *testing.T) {
	h, _ := HashPassword("a long enough password")
	parts := strings.Split(h, "$")
	for _, bad := range []string{
		"",
		"plain",
		strings.Replace(h, "argon2id", "argon2i", 1),
		strings.Replace(h, "v=19", "v=16", 1),
		strings.Replace(h, "m=19456", "m=999999999", 1), // would take the server's memory
		strings.Replace(h, "t=2", "t=0", 1),
		strings.Replace(h, "p=1", "p=0", 1),
		strings.Join(append(parts[:4:4], "!!", parts[5]), "$"),
		strings.Join(append(parts[:5:5], ""), "$"),
	} {
		if VerifyPassword(bad, "a long enough password") {
			t.Errorf("%q matches", bad)
		}
	}
	if VerifyNoOne("a long enough password") {
		t.Fatal("VerifyNoOne matched")
	}
}

func TestPasswordRules(t *testing.T) {
	for _, tt := range []struct {
		p  string
		ok bool
	}{
		{"short", false},
		{"elva tecken", false}, // 11
		{"tolv tecken!", true}, // 12
		{"åäöåäöåäöåäö", true}, // 12 runes, 24 bytes: runes count
		{"åäöåäöåäöåä", false}, // 11 runes, 22 bytes
		{strings.Repeat("a", 1024), true},
		{strings.Repeat("a", 1025), false},
		{"twelve bytes\xff", false},
	} {
		err := CheckPassword(tt.p)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrPasswordRule)) {
			t.Errorf("%q: got %v, want ok=%v", tt.p, err, tt.ok)
		}
		if _, err := HashPassword(tt.p); (err == nil) != tt.ok {
			t.Errorf("HashPassword(%q): got %v, want ok=%v", tt.p, err, tt.ok)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"anna", true},
		{"anna.berg@example.se", true},
		{"Åsa_Öberg-2", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"anna berg", false},
		{"anna/berg", false},
		{"<script>", false},
		{"anna\n", false},
	} {
		if got := ValidName(tt.name); got != tt.ok {
			t.Errorf("ValidName(%q): got %v, want %v", tt.name, got, tt.ok)
		}
	}
}
