package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Group commit: on an engine with one writer (SQLite), every write
// transaction waits for the one before it, and each pays its own fsync.
// Instead, one goroutine takes the write transactions that are waiting,
// runs each inside a savepoint of one outer transaction, and commits them
// all with one fsync. A transaction whose fn fails is rolled back to its
// savepoint, which undoes exactly its own writes; the others are not
// touched. Nobody is told of success before the COMMIT has returned, so an
// acknowledged write is as durable as with one transaction each.

// maxGroup bounds how many transactions share one commit, so that a burst
// cannot make one commit (and the latency of all in it) arbitrarily long.
const maxGroup = 256

type txRequest struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

type committer struct {
	commits, txs atomic.Int64 // for GroupStats
	observe      atomic.Pointer[func(int)]
	queue        chan *txRequest
	stop         chan struct{}
	wg           sync.WaitGroup

	mu     sync.RWMutex
	closed bool
}

var errClosed = errors.New("sqlstore: the store is closed")

func (db *DB) startGroupCommit() {
	c := &committer{queue: make(chan *txRequest, maxGroup), stop: make(chan struct{})}
	db.group = c
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			var first *txRequest
			select {
			case first = <-c.queue:
			case <-c.stop:
				// No request can be queued any more: run those that
				// are, then end.
				select {
				case first = <-c.queue:
				default:
					return
				}
			}
			batch := []*txRequest{first}
		more:
			for len(batch) < maxGroup {
				select {
				case r := <-c.queue:
					batch = append(batch, r)
				default:
					break more
				}
			}
			db.commitGroup(batch)
		}
	}()
}

// Stop ends group commit: transactions already queued are still run and
// committed, later ones fail. Call it before closing the connections.
func (db *DB) Stop() {
	c := db.group
	if c == nil {
		return
	}
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if !already {
		close(c.stop)
	}
	c.wg.Wait()
}

// groupTx queues fn for the next group and waits for its outcome.
func (db *DB) groupTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	c := db.group
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	// The read lock keeps Stop from declaring the queue finished while a
	// request is being put in it.
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errClosed
	}
	select {
	case c.queue <- r:
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	c.mu.RUnlock()
	// Once queued, the request is waited for even if ctx ends: it may be
	// in a commit already, and its caller must learn whether it happened.
	return <-r.done
}

func (db *DB) commitGroup(batch []*txRequest) {
	errs := make([]error, len(batch))
	fail := func(err error) {
		for _, r := range batch {
			r.done <- err
		}
	}
	tx, err := db.Write.BeginTx(context.Background(), nil)
	if err != nil {
		fail(err)
		return
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := db.txExec(context.Background(), tx, `SAVEPOINT g`); err != nil {
			tx.Rollback()
			fail(err)
			return
		}
		if errs[i] = runFn(r.fn, tx); errs[i] != nil {
			if _, err := db.txExec(context.Background(), tx, `ROLLBACK TO SAVEPOINT g`); err != nil {
				// The engine ended the whole transaction (as SQLite does
				// on some I/O errors): nothing of the group is written.
				tx.Rollback()
				fail(errs[i])
				return
			}
		}
		if _, err := db.txExec(context.Background(), tx, `RELEASE SAVEPOINT g`); err != nil {
			tx.Rollback()
			fail(err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(err)
		return
	}
	db.group.commits.Add(1)
	db.group.txs.Add(int64(len(batch)))
	if f := db.group.observe.Load(); f != nil {
		(*f)(len(batch))
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// runFn runs fn, turning a panic into an error of its own transaction: the
// committer serves every writer and must outlive a bug in one of them.
func runFn(fn func(tx *sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlstore: panic in a write transaction: %v", p)
		}
	}()
	return fn(tx)
}

// GroupStats returns how many group commits there were and how many write
// transactions they carried (zeros without group commit).
func (db *DB) GroupStats() (commits, txs int64) {
	if db.group == nil {
		return 0, 0
	}
	return db.group.commits.Load(), db.group.txs.Load()
}

// OnWriteBatch has f told the size of every group that is committed (the
// metrics' write batch sizes). Without group commit every write is a
// batch of one and f is not called.
func (db *DB) OnWriteBatch(f func(size int)) {
	if db.group != nil {
		db.group.observe.Store(&f)
	}
}
