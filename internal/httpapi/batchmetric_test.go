package httpapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

// On SQLite, concurrent writes share commits, and /metrics shows the batch
// sizes: every acknowledged write is counted in exactly one batch.
func TestWriteBatchMetric(t *testing.T) {
	e := apitest.Start(t, apitest.SQLite)
	e.Ledger("L1", "SE", customer.NumbersClient)
	tok := e.Token("L1", customer.ScopeAll)
	before := batchSum(t, e)
	const n = 40
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := fmt.Sprintf(`{"customerNo":"%d","legalEntity":"business","name":"N","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`, 100+i)
			want(t, e.Call("POST", "/ledger/customer/v1/L1/customers", tok, body), http.StatusCreated)
		}(i)
	}
	wg.Wait()
	if got := batchSum(t, e) - before; got < n {
		t.Fatalf("the batches hold %v writes, want at least the %d creates", got, n)
	}
}

var batchSumRE = regexp.MustCompile(`(?m)^kund_write_batch_size_sum ([0-9.e+]+)$`)

func batchSum(t *testing.T, e *apitest.Env) float64 {
	m := e.Call("GET", "/metrics", "", "")
	want(t, m, http.StatusOK)
	s := batchSumRE.FindSubmatch(m.Body)
	if s == nil {
		t.Fatalf("no kund_write_batch_size in the metrics")
	}
	v, err := strconv.ParseFloat(string(s[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
