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
//
// Lookups of sealed values go through a blind index: an HMAC-SHA256 of the
// value under the index key, which must never change (every stored index
// would have to be recomputed). It is derived from the lowest key version
// unless the file names it on a line of its own,
//
//	kund-index-key <base64 of 32 bytes>
//
// which Retire writes before it removes the key the index was derived from.
package keyring

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	keySize     = 32 // AES-256
	versionSize = 4
	nonceSize   = 12
	tagSize     = 16
)

// Keyring holds the versions of Kund's secret key; the newest one seals.
// It is safe for concurrent use. A keyring loaded from a file follows the
// file: Refresh reads it again when it changed (Seal does so every second), so that a
// running Kund learns of a key that `kund keys rotate` added.
type Keyring struct {
	st   atomic.Pointer[state]
	path string // "" for a generated keyring

	mu    sync.Mutex // serialises reloads
	stamp fileStamp
	next  atomic.Int64 // when Seal looks at the file again (Unix ns)
}

// state is one reading of the key file.
type state struct {
	current uint32
	aeads   map[uint32]cipher.AEAD
	index   []byte    // the blind index key
	macs    sync.Pool // of HMAC-SHA256 under index: a new one costs more than the MAC
}

// fileStamp tells whether a key file changed since it was read.
type fileStamp struct {
	mod  time.Time
	size int64
}

// keyFile is what a key file says: its keys and, when it names one, the
// index key.
type keyFile struct {
	keys  map[uint32][]byte
	index []byte
}

// Generate returns a keyring of one fresh random 256-bit key, version 1.
func Generate() (*Keyring, error) {
	key := newKey()
	k := &Keyring{}
	st, err := fromKeys(keyFile{keys: map[uint32][]byte{1: key}})
	if err != nil {
		return nil, err
	}
	k.st.Store(st)
	return k, nil
}

// Load reads a key file. It refuses (error naming the path) a file that is
// missing, malformed, or readable or writable by group or others
// (mode & 0o077 != 0), since the file alone unlocks every secret.
func Load(path string) (*Keyring, error) {
	kf, stamp, err := read(path)
	if err != nil {
		return nil, err
	}
	st, err := fromKeys(kf)
	if err != nil {
		return nil, err
	}
	k := &Keyring{path: path, stamp: stamp}
	k.st.Store(st)
	return k, nil
}

// read reads and checks a key file.
func read(path string) (keyFile, fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return keyFile{}, fileStamp{}, fmt.Errorf("keyring: %w", err)
	}
	defer f.Close()
	// The mode is read from the open file, so it is the mode of what is
	// read, not of whatever the path names a moment later.
	fi, err := f.Stat()
	if err != nil {
		return keyFile{}, fileStamp{}, fmt.Errorf("keyring: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return keyFile{}, fileStamp{}, fmt.Errorf("keyring: %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return keyFile{}, fileStamp{}, fmt.Errorf("keyring: %s is readable or writable by group or others (mode %04o); it must be 0600", path, perm)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(f); err != nil {
		return keyFile{}, fileStamp{}, fmt.Errorf("keyring: %w", err)
	}
	kf, err := parse(b.String())
	if err != nil {
		return keyFile{}, fileStamp{}, fmt.Errorf("keyring: %s: %w", path, err)
	}
	return kf, fileStamp{fi.ModTime(), fi.Size()}, nil
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
func parse(text string) (keyFile, error) {
	keys := map[uint32][]byte{}
	var index []byte
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == "kund-index-key" {
			key, err := base64.StdEncoding.DecodeString(f[1])
			if err != nil || len(key) != keySize {
				return keyFile{}, fmt.Errorf("line %d: the index key is not the base64 of %d bytes", i+1, keySize)
			}
			if index != nil {
				return keyFile{}, fmt.Errorf("line %d: a second index key", i+1)
			}
			index = key
			continue
		}
		if len(f) != 3 || f[0] != "kund-key" {
			return keyFile{}, fmt.Errorf("line %d: want \"kund-key v<version> <base64 key>\"", i+1)
		}
		v, err := strconv.ParseUint(strings.TrimPrefix(f[1], "v"), 10, 32)
		if err != nil || v == 0 || f[1] != "v"+strconv.FormatUint(v, 10) {
			return keyFile{}, fmt.Errorf("line %d: version %q is not of the form v1, v2 and so on", i+1, f[1])
		}
		key, err := base64.StdEncoding.DecodeString(f[2])
		if err != nil {
			return keyFile{}, fmt.Errorf("line %d: key v%d is not base64", i+1, v)
		}
		if len(key) != keySize {
			return keyFile{}, fmt.Errorf("line %d: key v%d is %d bytes, want %d", i+1, v, len(key), keySize)
		}
		if _, dup := keys[uint32(v)]; dup {
			return keyFile{}, fmt.Errorf("line %d: key v%d appears twice", i+1, v)
		}
		keys[uint32(v)] = key
	}
	if len(keys) == 0 {
		return keyFile{}, errors.New("no key")
	}
	return keyFile{keys: keys, index: index}, nil
}

func newKey() []byte {
	key := make([]byte, keySize)
	rand.Read(key) // never fails: it crashes the program instead
	return key
}

func fromKeys(kf keyFile) (*state, error) {
	k := &state{aeads: make(map[uint32]cipher.AEAD, len(kf.keys)), index: kf.index}
	for v, key := range kf.keys {
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
	if k.index == nil {
		k.index = derivedIndexKey(kf.keys)
	}
	return k, nil
}

// derivedIndexKey is the index key of a file that names none: derived
// from its lowest key version.
func derivedIndexKey(keys map[uint32][]byte) []byte {
	lowest := slices.Min(slices.Collect(maps.Keys(keys)))
	m := hmac.New(sha256.New, keys[lowest])
	m.Write([]byte("kund blind index v1"))
	return m.Sum(nil)
}

// Seal encrypts plain with AES-256-GCM under the current key, a random
// 96-bit nonce per call, binding ad (associated data: e.g. the table, column
// and row id, so a sealed value cannot be moved to another row). The result
// carries the key version: version (4 bytes big-endian) || nonce ||
// ciphertext+tag.
func (k *Keyring) Seal(plain, ad []byte) []byte {
	k.refreshNow()
	st := k.st.Load()
	out := make([]byte, versionSize, versionSize+nonceSize+len(plain)+tagSize)
	binary.BigEndian.PutUint32(out, st.current)
	return st.aeads[st.current].Seal(out, nil, plain, ad)
}

// Open reverses Seal with the key of the version it names; a wrong ad, a
// tampered or truncated value, or an unknown version is an error (never a
// panic).
func (k *Keyring) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < versionSize+nonceSize+tagSize {
		return nil, errors.New("keyring: sealed value too short")
	}
	v := binary.BigEndian.Uint32(sealed)
	aead, ok := k.st.Load().aeads[v]
	if !ok && k.path != "" {
		// Sealed by a process that has read a newer key file.
		k.Refresh()
		aead, ok = k.st.Load().aeads[v]
	}
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
func (k *Keyring) Current() uint32 { return k.st.Load().current }

// Versions are the key versions the keyring holds, lowest first.
func (k *Keyring) Versions() []uint32 {
	var vs []uint32
	for v := range k.st.Load().aeads {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// VersionOf is the key version a sealed value was sealed under.
func VersionOf(sealed []byte) (uint32, bool) {
	if len(sealed) < versionSize+nonceSize+tagSize {
		return 0, false
	}
	return binary.BigEndian.Uint32(sealed), true
}

// Index is the blind index of value for purpose (such as "email"): the
// first 16 bytes of HMAC-SHA256(index key, purpose || 0 || value), in hex.
// Equal values of one purpose have equal indexes, under every key version.
func (k *Keyring) Index(purpose, value string) string {
	st := k.st.Load()
	m, _ := st.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, st.index)
	}
	var buf [sha256.Size]byte
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	sum := m.Sum(buf[:0])
	m.Reset()
	st.macs.Put(m)
	return hex.EncodeToString(sum[:16])
}

// refreshEvery bounds how often a keyring looks at its file.
const refreshEvery = time.Second

// refreshNow refreshes the keyring when it has not looked at its file for
// refreshEvery: the key that seals is the newest one within a second of
// its being added to the file, in every process.
func (k *Keyring) refreshNow() {
	if k.path == "" {
		return
	}
	now := time.Now().UnixNano()
	if next := k.next.Load(); now >= next && k.next.CompareAndSwap(next, now+int64(refreshEvery)) {
		k.Refresh() // an unusable file keeps the keys read before
	}
}

// Refresh reads the key file again if it changed since it was read. A
// file that became unreadable or malformed keeps the keys read before
// (and is reported).
func (k *Keyring) Refresh() error {
	if k.path == "" {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	fi, err := os.Stat(k.path)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	if (fileStamp{fi.ModTime(), fi.Size()}) == k.stamp {
		return nil
	}
	kf, stamp, err := read(k.path)
	if err != nil {
		return err
	}
	st, err := fromKeys(kf)
	if err != nil {
		return err
	}
	if !bytes.Equal(st.index, k.st.Load().index) {
		return fmt.Errorf("keyring: %s: the index key changed; the keys read before stay", k.path)
	}
	k.st.Store(st)
	k.stamp = stamp
	return nil
}

// AddKey appends a new random key to the key file at path, one version
// above its highest, and returns that version.
func AddKey(path string) (uint32, error) {
	unlock, err := lockFile(path)
	if err != nil {
		return 0, err
	}
	defer unlock()
	kf, _, err := read(path)
	if err != nil {
		return 0, err
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("keyring: %w", err)
	}
	v := slices.Max(slices.Collect(maps.Keys(kf.keys))) + 1
	out := string(text)
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return v, replace(path, out+line(v, newKey()))
}

// Retire removes key version v from the key file at path; the caller has
// made sure that nothing is sealed under it any more. The newest key
// cannot be retired. When the index key was derived from v, the file
// names it from now on, so that it does not change.
func Retire(path string, v uint32) error {
	unlock, err := lockFile(path)
	if err != nil {
		return err
	}
	defer unlock()
	kf, _, err := read(path)
	if err != nil {
		return err
	}
	if _, ok := kf.keys[v]; !ok {
		return fmt.Errorf("keyring: %s has no key v%d", path, v)
	}
	if v == slices.Max(slices.Collect(maps.Keys(kf.keys))) {
		return fmt.Errorf("keyring: v%d is the key that seals; add a newer one first (kund keys rotate)", v)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimRight(string(text), "\n"), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "kund-key" && f[1] == "v"+strconv.FormatUint(uint64(v), 10) {
			continue
		}
		out = append(out, l)
	}
	if kf.index == nil {
		out = append(out, "kund-index-key "+base64.StdEncoding.EncodeToString(derivedIndexKey(kf.keys)))
	}
	return replace(path, strings.Join(out, "\n")+"\n")
}

// lockFile takes an exclusive lock of the key file at path (on PATH.lock,
// which the renames of replace leave in place), so that two commands that
// change the file one after the other both count.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("keyring: lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}

// replace writes text over the key file at path (the file a symbolic link
// names, when path is one): a synced temporary file of mode 0600 and the
// file's owner, renamed over it.
func replace(path, text string) error {
	path, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && err == nil {
		// The Kund that reads the file may run as another user than
		// the operator who rotates (a root shell).
		err = tmp.Chown(int(st.Uid), int(st.Gid))
	}
	if err == nil {
		_, err = tmp.WriteString(text)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	defer d.Close()
	return d.Sync()
}
