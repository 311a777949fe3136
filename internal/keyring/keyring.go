// Package keyring holds Kund's secret key for encryption at rest: the key
// that seals what the database must not disclose by itself (Worldline API
// secrets, stored idempotent replies, and the personal data that DESIGN.md
// lists under encryption at rest).
//
// The key file is the only way to open those values again. Losing it loses
// every sealed value for good, so it must be backed up whenever the
// database is; but it must be stored apart from the database backups, since
// a backup that holds both discloses everything the key protects.
//
// The file is text, one key per line, so that an operator can read it, back
// it up and rotate by appending a line:
//
//	# comment
//	kund-key v1 <base64 of 32 bytes>
//	kund-key v2 <base64 of 32 bytes>
//
// The highest version seals; every version opens what was sealed under it,
// so values sealed before a rotation still open after it. A key seals at
// most 2^32 values (the limit of random 96-bit nonces) before it must be
// rotated.
package keyring

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	keySize     = 32 // AES-256
	versionSize = 4
	nonceSize   = 12
	tagSize     = 16
)

// Keyring holds the versions of Kund's secret key; the newest one seals.
// It is safe for concurrent use.
type Keyring struct {
	current uint32
	aeads   map[uint32]cipher.AEAD
}

// Generate returns a keyring of one fresh random 256-bit key, version 1.
func Generate() (*Keyring, error) {
	key := newKey()
	return fromKeys(map[uint32][]byte{1: key})
}

// Load reads a key file. It refuses (error naming the path) a file that is
// missing, malformed, or readable or writable by group or others
// (mode & 0o077 != 0), since the file alone unlocks every secret.
func Load(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	defer f.Close()
	// The mode is read from the open file, so it is the mode of what is
	// read, not of whatever the path names a moment later.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("keyring: %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("keyring: %s is readable or writable by group or others (mode %04o); it must be 0600", path, perm)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	keys, err := parse(b.String())
	if err != nil {
		return nil, fmt.Errorf("keyring: %s: %w", path, err)
	}
	return fromKeys(keys)
}

// LoadOrCreate is Load, but a missing file is created first (mode 0600,
// written atomically) with one fresh key; created reports it.
//
// The new file is written to a temporary file in the same directory and
// synced, then hard-linked into place rather than renamed: a rename would
// replace a key file that another process created a moment earlier, and
// whatever that process had already sealed would be lost with its key.
// The link fails instead, and both processes use the file that won.
func LoadOrCreate(path string) (k *Keyring, created bool, err error) {
	k, err = Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	created, err = create(path)
	if err != nil {
		return nil, false, fmt.Errorf("keyring: create %s: %w", path, err)
	}
	k, err = Load(path)
	if err != nil {
		return nil, false, err
	}
	return k, created, nil
}

// create writes a key file of one fresh key at path unless one is there
// already; it reports whether it wrote it.
func create(path string) (bool, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	// Exactly 0600, whatever the umask.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, err
	}
	_, err = tmp.WriteString("# Kund's secret key. Back it up with the database, but never in the same place:\n" +
		"# losing it loses every sealed value, and with a database backup it discloses them.\n" +
		line(1, newKey()))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	// The new directory entry is durable only once the directory is synced.
	d, err := os.Open(dir)
	if err != nil {
		return true, err
	}
	defer d.Close()
	return true, d.Sync()
}

// line is the key file line of one key.
func line(version uint32, key []byte) string {
	return fmt.Sprintf("kund-key v%d %s\n", version, base64.StdEncoding.EncodeToString(key))
}

// parse reads the keys of a key file.
func parse(text string) (map[uint32][]byte, error) {
	keys := map[uint32][]byte{}
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "kund-key" {
			return nil, fmt.Errorf("line %d: want \"kund-key v<version> <base64 key>\"", i+1)
		}
		v, err := strconv.ParseUint(strings.TrimPrefix(f[1], "v"), 10, 32)
		if err != nil || v == 0 || f[1] != "v"+strconv.FormatUint(v, 10) {
			return nil, fmt.Errorf("line %d: version %q is not of the form v1, v2 and so on", i+1, f[1])
		}
		key, err := base64.StdEncoding.DecodeString(f[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: key v%d is not base64", i+1, v)
		}
		if len(key) != keySize {
			return nil, fmt.Errorf("line %d: key v%d is %d bytes, want %d", i+1, v, len(key), keySize)
		}
		if _, dup := keys[uint32(v)]; dup {
			return nil, fmt.Errorf("line %d: key v%d appears twice", i+1, v)
		}
		keys[uint32(v)] = key
	}
	if len(keys) == 0 {
		return nil, errors.New("no key")
	}
	return keys, nil
}

func newKey() []byte {
	key := make([]byte, keySize)
	rand.Read(key) // never fails: it crashes the program instead
	return key
}

func fromKeys(keys map[uint32][]byte) (*Keyring, error) {
	k := &Keyring{aeads: make(map[uint32]cipher.AEAD, len(keys))}
	for v, key := range keys {
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("keyring: key v%d: %w", v, err)
		}
		// The AEAD draws a random 96-bit nonce for every Seal and puts
		// it in front of the ciphertext.
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("keyring: key v%d: %w", v, err)
		}
		k.aeads[v] = aead
		k.current = max(k.current, v)
	}
	return k, nil
}

// Seal encrypts plain with AES-256-GCM under the current key, a random
// 96-bit nonce per call, binding ad (associated data: e.g. the table, column
// and row id, so a sealed value cannot be moved to another row). The result
// carries the key version: version (4 bytes big-endian) || nonce ||
// ciphertext+tag.
func (k *Keyring) Seal(plain, ad []byte) []byte {
	out := make([]byte, versionSize, versionSize+nonceSize+len(plain)+tagSize)
	binary.BigEndian.PutUint32(out, k.current)
	return k.aeads[k.current].Seal(out, nil, plain, ad)
}

// Open reverses Seal with the key of the version it names; a wrong ad, a
// tampered or truncated value, or an unknown version is an error (never a
// panic).
func (k *Keyring) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < versionSize+nonceSize+tagSize {
		return nil, errors.New("keyring: sealed value too short")
	}
	v := binary.BigEndian.Uint32(sealed)
	aead, ok := k.aeads[v]
	if !ok {
		return nil, fmt.Errorf("keyring: no key v%d", v)
	}
	plain, err := aead.Open(nil, nil, sealed[versionSize:], ad)
	if err != nil {
		return nil, fmt.Errorf("keyring: value sealed under key v%d does not open (tampered, or another ad)", v)
	}
	return plain, nil
}

// Current is the version that seals.
func (k *Keyring) Current() uint32 { return k.current }
