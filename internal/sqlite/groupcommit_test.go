package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/sqlite"
)

// Closing the store while writers are busy: every writer gets an answer
// (none hangs), and every create that was acknowledged is in the file.
func TestCloseWhileWriting(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kund.db")
	db := openWithLedger(t, path)
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = db.CreateCustomer(ctx, newCustomer("L", fmt.Sprint(i)), nil)
		}(i)
	}
	time.Sleep(5 * time.Millisecond)
	db.Close()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("writers still waiting 20 s after Close")
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	useKey(t, db)
	defer db.Close()
	acked := 0
	for i, err := range errs {
		if err != nil {
			continue
		}
		acked++
		if _, err := db.Customer(ctx, "L", fmt.Sprint(i)); err != nil {
			t.Fatalf("acknowledged create %d is missing: %v", i, err)
		}
	}
	t.Logf("%d of %d creates acknowledged before Close", acked, n)
}
