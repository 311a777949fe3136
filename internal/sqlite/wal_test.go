package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// The one writer checkpoints the WAL itself (SQLite's wal_autocheckpoint,
// inside a commit once the WAL passes 1,000 pages), so the WAL stays small
// under any write load. Checkpointing from another connection, off the
// commit path, was tried: a checkpoint there never catches up with a
// writer that does not pause, the WAL can start over only when it has,
// and it grew to 35 MB in this test.
func TestWALStaysSmallUnderWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kund.db")
	db := openWithLedger(t, path)
	defer db.Close()
	// 4,000 creates by 32 writers write ~25 MB of WAL frames: far more
	// than the WAL may hold at any time when checkpoints run.
	const writers, each = 32, 125
	var wg sync.WaitGroup
	var maxWAL int64
	var mu sync.Mutex
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				c := newCustomer("L", fmt.Sprintf("%d-%d", w, i))
				if err := db.CreateCustomer(ctx, c, nil); err != nil {
					t.Error(err)
					return
				}
				if fi, err := os.Stat(path + "-wal"); err == nil {
					mu.Lock()
					maxWAL = max(maxWAL, fi.Size())
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	var n int64
	if err := db.Write.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&n); err != nil || n != writers*each {
		t.Fatalf("%d customers (%v), want %d", n, err, writers*each)
	}
	if maxWAL > 8<<20 {
		t.Fatalf("the WAL grew to %.1f MB under writes", float64(maxWAL)/(1<<20))
	}
	t.Logf("largest WAL seen: %.1f MB", float64(maxWAL)/(1<<20))
}
