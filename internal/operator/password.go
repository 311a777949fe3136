package operator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules: long enough to resist guessing offline should the
// hashes leak, short enough that hashing one is no way to tie up the CPU.
const (
	MinPasswordRunes = 12
	MaxPasswordBytes = 1024
)

// The argon2id parameters of new hashes: OWASP's first recommended set
// (19 MiB, 2 passes, 1 lane). About 30 ms a hash on one core, which a
// sign-in affords and which keeps the tests fast, while an attacker with
// the hashes pays the memory of each guess. Stored hashes carry their own
// parameters, so these may be raised later without resetting passwords.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Bounds on the parameters of a stored hash, so that a tampered row
// cannot make one check take the server's memory.
const (
	maxArgonMemory  = 256 * 1024
	maxArgonTime    = 16
	maxArgonThreads = 16
)

// ErrPasswordRule is a password refused by the rules; its text says which.
var ErrPasswordRule = errors.New("password rule")

// CheckPassword applies the password rules.
func CheckPassword(p string) error {
	switch {
	case !utf8.ValidString(p):
		return fmt.Errorf("%w: the password is not valid UTF-8", ErrPasswordRule)
	case utf8.RuneCountInString(p) < MinPasswordRunes:
		return fmt.Errorf("%w: the password must have at least %d characters", ErrPasswordRule, MinPasswordRunes)
	case len(p) > MaxPasswordBytes:
		return fmt.Errorf("%w: the password must have at most %d bytes", ErrPasswordRule, MaxPasswordBytes)
	}
	return nil
}

// HashPassword checks p against the rules and hashes it with argon2id
// under a new random salt, in the PHC string format
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(p string) (string, error) {
	if err := CheckPassword(p); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	rand.Read(salt) // never fails (crypto/rand)
	key := argon2.IDKey([]byte(p), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether p is the password of hash. A hash that
// cannot be read (or has parameters out of bounds) matches nothing.
func VerifyPassword(hash, p string) bool {
	if len(p) > MaxPasswordBytes {
		return false
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var threads uint8
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); n != 3 || err != nil ||
		m == 0 || m > maxArgonMemory || t == 0 || t > maxArgonTime || threads == 0 || threads > maxArgonThreads {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false
	}
	key, err := enc.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(p), salt, t, m, threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// dummyHash is checked against when a name is unknown, so that a
// sign-in takes as long whether or not the name exists.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("not the password of anyone")
	if err != nil {
		panic(err)
	}
	return h
})

// VerifyNoOne spends the time of a VerifyPassword and reports false: the
// check of a sign-in with an unknown name or a disabled operator.
func VerifyNoOne(p string) bool {
	VerifyPassword(dummyHash(), p)
	return false
}

// ValidName reports whether name may name an operator: 1-64 characters of
// letters (å, ä, ö too), digits 0-9 and . _ - @ (an e-mail address fits).
func ValidName(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > 64 || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		switch {
		case unicode.IsLetter(r), r >= '0' && r <= '9', strings.ContainsRune("._-@", r):
		default:
			return false
		}
	}
	return true
}
