package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kund/kund/internal/sqlite"
)

// modes returns the permission bits of the database file and its -wal and
// -shm files.
func modes(t *testing.T, path string) map[string]os.FileMode {
	t.Helper()
	m := map[string]os.FileMode{}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(p)] = fi.Mode().Perm()
	}
	return m
}

// The database holds personal data: a new file and the -wal and -shm files
// SQLite makes beside it are the owner's alone, whatever the umask.
func TestNewDatabaseFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "kund.db")
	db := openWithLedger(t, path)
	defer db.Close()
	if err := db.CreateCustomer(context.Background(), newCustomer("L", "1"), nil); err != nil {
		t.Fatal(err)
	}
	for name, perm := range modes(t, path) {
		if perm != 0o600 {
			t.Errorf("%s has mode %04o under umask 022, want 0600", name, perm)
		}
	}
}

// A database made before Kund created its files 0600 (or copied in with
// another mode) is tightened when it is opened, -wal and -shm too.
func TestOpenTightensExistingFiles(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kund.db")
	first := openWithLedger(t, path)
	defer first.Close()
	if err := first.CreateCustomer(ctx, newCustomer("L", "1"), nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	second, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	useKey(t, second)
	defer second.Close()
	for name, perm := range modes(t, path) {
		if perm != 0o600 {
			t.Errorf("%s has mode %04o after Open, want 0600", name, perm)
		}
	}
	// Both handles still work on the tightened files.
	if err := second.CreateCustomer(ctx, newCustomer("L", "2"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Customer(ctx, "L", "2"); err != nil {
		t.Fatal(err)
	}

	// A file of mode 0640 left by a copy loses the group's read too, and a
	// file only its owner may read stays as it is.
	for mode, want := range map[os.FileMode]os.FileMode{0o640: 0o600, 0o666: 0o600, 0o400: 0o400, 0o600: 0o600} {
		p := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if db, err := sqlite.Open(ctx, p); err == nil {
			db.Close()
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("an existing %04o file has mode %04o after Open, want %04o", mode, got, want)
		}
	}
}
