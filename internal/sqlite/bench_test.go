package sqlite_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kund/kund/internal/bench"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/sqlite"
)

// Benchmarks of the store alone (no HTTP) on a file of benchCustomers
// customers made by the import path. They run only with -bench; `kund
// bench` measures the whole server.

const benchCustomers = 20_000

func benchStore(b *testing.B) *sqlite.DB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	if _, _, err := bench.Prepare(ctx, path, "", benchCustomers, io.Discard, false); err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	keys, err := keyring.Load(path + ".key") // the key the import sealed under
	if err != nil {
		b.Fatal(err)
	}
	if err := db.UseKeyring(ctx, keys); err != nil {
		b.Fatal(err)
	}
	return db
}

// A request's context can be cancelled, as an HTTP request's is.
func requestContext(b *testing.B) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return ctx
}

func BenchmarkCustomer(b *testing.B) {
	db := benchStore(b)
	ctx := requestContext(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rnd := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			if _, err := db.Customer(ctx, bench.Ledger, bench.CustomerNo(rnd.IntN(benchCustomers))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCustomerByUUID: the Frontpayment dialect's lookup.
func BenchmarkCustomerByUUID(b *testing.B) {
	db := benchStore(b)
	ctx := requestContext(b)
	var uuids []string
	if err := db.EachCustomer(ctx, bench.Ledger, func(c *customer.Customer) error { uuids = append(uuids, c.UUID); return nil }); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rnd := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			if _, err := db.CustomerByUUID(ctx, bench.Ledger, uuids[rnd.IntN(len(uuids))]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkFindCustomers(b *testing.B) {
	db := benchStore(b)
	ctx := requestContext(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rnd := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			id := customer.NationalID{RegNo: bench.PersonalNo(rnd.IntN(benchCustomers)), CountryCode: "SE"}
			if cs, err := db.FindCustomers(ctx, bench.Ledger, id, 2); err != nil || len(cs) != 1 {
				b.Error(len(cs), err)
				return
			}
		}
	})
}

// Writers run 64 at a time, as in `kund bench`, so group commit has
// company.
func BenchmarkPatchEmail(b *testing.B) {
	db := benchStore(b)
	ctx := requestContext(b)
	b.ReportAllocs()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rnd := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			_, err := db.UpdateCustomer(ctx, bench.Ledger, bench.CustomerNo(rnd.IntN(benchCustomers)), func(c *customer.Customer) error {
				c.Email = fmt.Sprintf("p%d@example.se", rnd.IntN(1000))
				c.UpdatedAt = time.Now()
				return nil
			}, nil)
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkCreate(b *testing.B) {
	db := benchStore(b)
	ctx := requestContext(b)
	var seq atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			c := newCustomer(bench.Ledger, fmt.Sprint(5_000_000_000+i))
			if err := db.CreateCustomer(ctx, c, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
