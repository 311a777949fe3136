package keyring_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/kund/kund/internal/keyring"
)

// keyLine is a key file line of version v whose key is 32 bytes of b.
func keyLine(v string, b byte) string {
	return "kund-key " + v + " " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) + "\n"
}

// writeKeyFile writes text to a file of mode 0600 and returns its path.
func writeKeyFile(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kund.key")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func load(t testing.TB, text string) *keyring.Keyring {
	t.Helper()
	k, err := keyring.Load(writeKeyFile(t, text))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// umask sets the process umask for the rest of the test.
func umask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func TestRoundTrip(t *testing.T) {
	k, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if k.Current() != 1 {
		t.Fatalf("a generated keyring seals under v%d, want v1", k.Current())
	}
	for _, plain := range [][]byte{nil, {}, []byte("x"), []byte("worldline secret"), bytes.Repeat([]byte{0xa5}, 1<<16)} {
		for _, ad := range [][]byte{nil, []byte("worldline_keys.secret/42")} {
			sealed := k.Seal(plain, ad)
			if got, want := len(sealed), 4+12+len(plain)+16; got != want {
				t.Fatalf("sealed %d bytes as %d, want %d", len(plain), got, want)
			}
			if v := binary.BigEndian.Uint32(sealed); v != 1 {
				t.Fatalf("sealed under v%d, want v1", v)
			}
			// (Shorter values may turn up among random bytes by chance.)
			if len(plain) >= 8 && bytes.Contains(sealed, plain) {
				t.Fatal("the sealed value contains the plain text")
			}
			got, err := k.Open(sealed, ad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatalf("opened %d bytes as %d different ones", len(plain), len(got))
			}
		}
	}
	// A fresh nonce per call: the same value seals differently each time.
	a, b := k.Seal([]byte("same"), nil), k.Seal([]byte("same"), nil)
	if bytes.Equal(a[4:16], b[4:16]) || bytes.Equal(a, b) {
		t.Fatal("two seals of one value share a nonce")
	}
	// Two generated keyrings hold different keys.
	other, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(a, nil); err == nil {
		t.Fatal("another generated key opened the value")
	}
}

func TestOpenRefusesTamperedValues(t *testing.T) {
	k := load(t, keyLine("v1", 1))
	ad := []byte("customers.email/7")
	sealed := k.Seal([]byte("kund@example.se"), ad)
	// Every bit of the version, the nonce, the ciphertext and the tag.
	for i := range sealed {
		for bit := range 8 {
			v := bytes.Clone(sealed)
			v[i] ^= 1 << bit
			if got, err := k.Open(v, ad); err == nil {
				t.Fatalf("flipping bit %d of byte %d opened as %q", bit, i, got)
			}
		}
	}
	for n := range len(sealed) {
		if _, err := k.Open(sealed[:n], ad); err == nil {
			t.Fatalf("the first %d of %d bytes opened", n, len(sealed))
		}
	}
	if _, err := k.Open(append(bytes.Clone(sealed), 0), ad); err == nil {
		t.Fatal("a value with a byte appended opened")
	}
	unknown := bytes.Clone(sealed)
	binary.BigEndian.PutUint32(unknown, 9)
	if _, err := k.Open(unknown, ad); err == nil || !strings.Contains(err.Error(), "no key v9") {
		t.Fatalf("a value of an unknown version: %v", err)
	}
	if got, err := k.Open(sealed, ad); err != nil || string(got) != "kund@example.se" {
		t.Fatalf("the untouched value: %q, %v", got, err)
	}
}

// The associated data ties a value to where it is stored: moved to another
// row or column, it does not open.
func TestOpenRefusesAnotherAD(t *testing.T) {
	k := load(t, keyLine("v1", 1))
	sealed := k.Seal([]byte("19121212-1212"), []byte("customers.reg_no/1"))
	for _, ad := range [][]byte{nil, []byte("customers.reg_no/2"), []byte("customers.email/1"), []byte("customers.reg_no/1\x00")} {
		if _, err := k.Open(sealed, ad); err == nil {
			t.Fatalf("opened with ad %q", ad)
		}
	}
	if _, err := k.Open(k.Seal([]byte("x"), nil), []byte("customers.reg_no/1")); err == nil {
		t.Fatal("a value sealed without ad opened with one")
	}
}

// Rotation by appending a line: values sealed under the old key still
// open, new ones are sealed under the new key, and a keyring that lacks the
// old key says so.
func TestTwoVersions(t *testing.T) {
	path := writeKeyFile(t, "# Kund's key\n"+keyLine("v1", 1))
	k1, err := keyring.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	old := k1.Seal([]byte("old"), []byte("ad"))

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(keyLine("v2", 2))
	f.Close()
	k2, err := keyring.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if k2.Current() != 2 {
		t.Fatalf("current v%d, want v2", k2.Current())
	}
	if got, err := k2.Open(old, []byte("ad")); err != nil || string(got) != "old" {
		t.Fatalf("a v1 value after rotation: %q, %v", got, err)
	}
	sealed := k2.Seal([]byte("new"), []byte("ad"))
	if v := binary.BigEndian.Uint32(sealed); v != 2 {
		t.Fatalf("sealed under v%d after rotation, want v2", v)
	}
	// The keyring loaded before follows the file it was loaded from.
	if got, err := k1.Open(sealed, []byte("ad")); err != nil || string(got) != "new" {
		t.Fatalf("the keyring loaded before opening a v2 value: %q %v", got, err)
	}
	if _, err := load(t, keyLine("v1", 1)).Open(sealed, []byte("ad")); err == nil || !strings.Contains(err.Error(), "no key v2") {
		t.Fatalf("a keyring without v2 opening a v2 value: %v", err)
	}

	// The highest version is current wherever its line is; versions need
	// not be consecutive.
	k := load(t, keyLine("v7", 7)+keyLine("v1", 1)+keyLine("v3", 3))
	if k.Current() != 7 {
		t.Fatalf("current v%d, want v7", k.Current())
	}
	if got, err := k.Open(old, []byte("ad")); err != nil || string(got) != "old" {
		t.Fatalf("a v1 value in a file of v1, v3, v7: %q, %v", got, err)
	}
	if _, err := k.Open(sealed, []byte("ad")); err == nil {
		t.Fatal("a v2 value opened in a file without v2")
	}
}

func TestLoadAcceptsCommentsAndBlankLines(t *testing.T) {
	k := load(t, "# Kund's secret key\n\n   \n  # indented comment\r\n"+strings.TrimSuffix(keyLine("v1", 1), "\n")+"\r\n"+"  "+keyLine("v2", 2))
	if k.Current() != 2 {
		t.Fatalf("current v%d, want v2", k.Current())
	}
}

func TestLoadRefusesMalformedFiles(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	for name, text := range map[string]string{
		"empty":             "",
		"only comments":     "# a key will go here\n\n",
		"another prefix":    "kund-secret v1 " + good + "\n",
		"no key":            "kund-key v1\n",
		"no version":        "kund-key " + good + "\n",
		"extra field":       "kund-key v1 " + good + " extra\n",
		"version without v": "kund-key 1 " + good + "\n",
		"version zero":      "kund-key v0 " + good + "\n",
		"negative version":  "kund-key v-1 " + good + "\n",
		"version leading 0": "kund-key v01 " + good + "\n",
		"version too big":   "kund-key v4294967296 " + good + "\n",
		"version not a num": "kund-key vX " + good + "\n",
		"not base64":        "kund-key v1 " + strings.Repeat("!", 44) + "\n",
		"url base64":        "kund-key v1 " + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)) + "\n",
		"31 bytes":          "kund-key v1 " + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n",
		"33 bytes":          "kund-key v1 " + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n",
		"16 bytes":          "kund-key v1 " + base64.StdEncoding.EncodeToString(make([]byte, 16)) + "\n",
		"duplicate version": keyLine("v1", 1) + keyLine("v2", 2) + keyLine("v1", 3),
		"duplicate same":    keyLine("v1", 1) + keyLine("v1", 1),
		"bad line later":    keyLine("v1", 1) + "garbage\n",
	} {
		path := writeKeyFile(t, text)
		_, err := keyring.Load(path)
		if err == nil {
			t.Errorf("%s: loaded", name)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: the error does not name the file: %v", name, err)
		}
		if strings.Contains(err.Error(), good) {
			t.Errorf("%s: the error shows a key: %v", name, err)
		}
	}
}

func TestLoadRefusesMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kund.key")
	_, err := keyring.Load(path)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("a missing file: %v", err)
	}
}

// The key file alone opens every sealed value, so one that anybody but its
// owner may read or write is refused.
func TestLoadRefusesOpenModes(t *testing.T) {
	path := writeKeyFile(t, keyLine("v1", 1))
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o610, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := keyring.Load(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "group or others") {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := keyring.Load(path); err != nil {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	if _, err := keyring.Load(t.TempDir()); err == nil {
		t.Error("a directory loaded as a key file")
	}
}

func TestLoadOrCreate(t *testing.T) {
	umask(t, 0o022)
	dir := t.TempDir()
	path := filepath.Join(dir, "kund.key")
	k, created, err := keyring.LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("a missing file: created %v, %v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Fatalf("created with mode %04o under umask 022, want 0600", perm)
	}
	if k.Current() != 1 {
		t.Fatalf("created at v%d, want v1", k.Current())
	}
	// Nothing but the key file is left in the directory.
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("the directory holds %d files after the create, want 1", len(ents))
	}
	// The file is the format Load reads, and the key it holds is the one
	// returned.
	sealed := k.Seal([]byte("secret"), []byte("ad"))
	again, err := keyring.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed, []byte("ad")); err != nil || string(got) != "secret" {
		t.Fatalf("the created file does not hold the returned key: %q, %v", got, err)
	}
	b, _ := os.ReadFile(path)
	if n := strings.Count(string(b), "kund-key v1 "); n != 1 {
		t.Fatalf("the created file has %d key lines:\n%s", n, b)
	}

	// An existing file is loaded, not replaced.
	k2, created, err := keyring.LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("an existing file: created %v, %v", created, err)
	}
	if got, err := k2.Open(sealed, []byte("ad")); err != nil || string(got) != "secret" {
		t.Fatalf("the key changed: %q, %v", got, err)
	}
	if b2, _ := os.ReadFile(path); !bytes.Equal(b, b2) {
		t.Fatal("an existing file was rewritten")
	}

	// An existing file that is refused is not replaced either.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := keyring.LoadOrCreate(path); err == nil || !strings.Contains(err.Error(), "group or others") {
		t.Fatalf("an existing 0644 file: %v", err)
	}
	bad := writeKeyFile(t, "garbage\n")
	if _, _, err := keyring.LoadOrCreate(bad); err == nil {
		t.Fatal("a malformed file was loaded or replaced")
	}
	if b, _ := os.ReadFile(bad); string(b) != "garbage\n" {
		t.Fatalf("a malformed file was replaced by %q", b)
	}

	// A missing directory is an error, not a key somewhere else.
	if _, _, err := keyring.LoadOrCreate(filepath.Join(dir, "no-such-dir", "kund.key")); err == nil {
		t.Fatal("created a key file in a missing directory")
	}
}

// Processes starting at once on a new database must not each create a key
// and replace the others' file: every value any of them seals must open
// with the key file left behind. Exactly one of them creates it.
func TestLoadOrCreateConcurrently(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kund.key")
	const n = 16
	var wg sync.WaitGroup
	sealed := make([][]byte, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var k *keyring.Keyring
			k, created[i], errs[i] = keyring.LoadOrCreate(path)
			if errs[i] == nil {
				sealed[i] = k.Seal([]byte("v"), nil)
			}
		}()
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if created[i] {
			creators++
		}
	}
	if creators != 1 {
		t.Fatalf("%d callers report creating the file, want 1", creators)
	}
	k, err := keyring.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sealed {
		if _, err := k.Open(s, nil); err != nil {
			t.Fatalf("caller %d sealed under a key that is not in the file: %v", i, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("the directory holds %d files, want 1", len(ents))
	}
}

// Random bytes never panic Open, and nothing opens but what was sealed.
// The key is fixed and each seed has an ad of its own, so a fuzzing worker
// (another process, which seals the seeds anew) knows what each ad may open
// as.
func FuzzOpen(f *testing.F) {
	k := load(f, keyLine("v1", 1)+keyLine("v2", 2))
	plainOf := map[string]string{}
	for _, c := range []struct{ plain, ad string }{{"", ""}, {"secret", "ad"}, {"19121212-1212", "customers.reg_no/1"}} {
		plainOf[c.ad] = c.plain
		f.Add(k.Seal([]byte(c.plain), []byte(c.ad)), []byte(c.ad))
	}
	f.Add([]byte{}, []byte{})
	f.Add([]byte{0, 0, 0, 1}, []byte{})
	f.Add(make([]byte, 32), []byte("ad"))
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		got, err := k.Open(sealed, ad)
		if err != nil {
			return
		}
		if plain, ok := plainOf[string(ad)]; !ok || string(got) != plain {
			t.Fatalf("%x with ad %q opened as %q", sealed, ad, got)
		}
	})
}

func TestIndexIsStableAcrossRotationAndRetirement(t *testing.T) {
	path := writeKeyFile(t, keyLine("v1", 1))
	k, err := keyring.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	before := k.Index("email", "britt@axelstopp.com")
	if k.Index("email", "britt@axelstopp.com") != before || len(before) != 32 {
		t.Fatalf("index %q", before)
	}
	if k.Index("msisdn", "britt@axelstopp.com") == before || k.Index("email", "britt@axelstopp.se") == before {
		t.Fatal("another purpose or value gives the same index")
	}
	if other := load(t, keyLine("v1", 2)); other.Index("email", "britt@axelstopp.com") == before {
		t.Fatal("another key gives the same index")
	}
	sealedV1 := k.Seal([]byte("x"), nil)

	v, err := keyring.AddKey(path)
	if err != nil || v != 2 {
		t.Fatalf("add: v%d %v", v, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after adding a key: %v", fi.Mode())
	}
	// A loaded keyring follows its file.
	if err := k.Refresh(); err != nil {
		t.Fatal(err)
	}
	if k.Current() != 2 || k.Index("email", "britt@axelstopp.com") != before {
		t.Fatalf("after adding: current v%d", k.Current())
	}
	if v, ok := keyring.VersionOf(k.Seal([]byte("x"), nil)); !ok || v != 2 {
		t.Fatalf("sealed under v%d", v)
	}
	if err := keyring.Retire(path, 2); err == nil {
		t.Fatal("the newest key was retired")
	}
	if err := keyring.Retire(path, 1); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(path)
	if strings.Contains(string(text), "kund-key v1 ") || !strings.Contains(string(text), "kund-index-key ") {
		t.Fatalf("after retiring v1:\n%s", text)
	}
	after, err := keyring.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if after.Index("email", "britt@axelstopp.com") != before {
		t.Fatal("retiring the key the index was derived from changed the index")
	}
	if _, err := after.Open(sealedV1, nil); err == nil {
		t.Fatal("a retired key still opens")
	}
	if got := after.Versions(); len(got) != 1 || got[0] != 2 {
		t.Fatalf("versions %v", got)
	}
}

func TestOpenReadsANewerKeyFile(t *testing.T) {
	path := writeKeyFile(t, keyLine("v1", 1))
	server, err := keyring.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.AddKey(path); err != nil {
		t.Fatal(err)
	}
	rotator, err := keyring.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// What the rotator sealed under v2 opens in a process that read the
	// file before v2 existed.
	sealed := rotator.Seal([]byte("secret"), []byte("ad"))
	if got, err := server.Open(sealed, []byte("ad")); err != nil || string(got) != "secret" {
		t.Fatalf("open: %q %v", got, err)
	}
	if server.Current() != 2 {
		t.Fatalf("the server seals under v%d", server.Current())
	}
}

// A key file reached through a symbolic link is changed where it is; the
// link stays.
func TestAddKeyThroughALink(t *testing.T) {
	target := writeKeyFile(t, keyLine("v1", 1))
	link := filepath.Join(t.TempDir(), "kund.key")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.AddKey(link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link: %v %v", fi, err)
	}
	k, err := keyring.Load(target)
	if err != nil || k.Current() != 2 {
		t.Fatalf("the target after adding a key: %v", err)
	}
}
