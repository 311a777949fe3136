package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

// TestConcurrentIfMatch: 64 clients PATCH one customer at once, each with
// the ETag it read. Exactly the answered 200s are applied: one per version,
// each version once, and the customer ends as the last winner left it.
// Losers get 412 and read again, until every client has won once.
func TestConcurrentIfMatch(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead, customer.ScopeWrite)
		want(t, e.Call("POST", "/ledger/customer/v1/L1/customers", tok,
			`{"customerNo":"9","name":"Contended","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`), http.StatusCreated)
		path := "/ledger/customer/v1/L1/customers/9"
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		defer client.CloseIdleConnections()
		send := func(method, etag, body string) (int, string, string) {
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, _ := http.NewRequestWithContext(ctx, method, e.URL+path, rd)
			req.Header.Set("Authorization", "Bearer "+tok)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if etag != "" {
				req.Header.Set("If-Match", etag)
			}
			res, err := client.Do(req)
			if err != nil {
				return 0, "", err.Error()
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, res.Header.Get("ETag"), string(b)
		}
		const n = 64
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners = map[string]string{} // new ETag -> the value its PATCH set
			lost    int
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				value := "T" + strconv.Itoa(i)
				for attempt := 0; attempt < 10*n; attempt++ {
					status, etag, body := send("GET", "", "")
					// 503 is "try again": on PostgreSQL a call that
					// waits longer than the call bound (1.5 s) gets it,
					// which a CPU-starved CI machine can cause. A read
					// is safe to retry; a client does just that.
					for retry := 0; status == http.StatusServiceUnavailable && retry < 5; retry++ {
						t.Logf("GET: 503, retrying")
						time.Sleep(50 * time.Millisecond)
						status, etag, body = send("GET", "", "")
					}
					if status != http.StatusOK {
						t.Errorf("GET: %d %s", status, body)
						return
					}
					status, newTag, body := send("PATCH", etag, `{"taxIdentificationNumber":"`+value+`"}`)
					mu.Lock()
					switch status {
					case http.StatusOK:
						if _, dup := winners[newTag]; dup {
							t.Errorf("two PATCHes answered with ETag %s", newTag)
						}
						winners[newTag] = value
						mu.Unlock()
						return
					case http.StatusPreconditionFailed:
						lost++
						mu.Unlock()
					default:
						mu.Unlock()
						t.Errorf("PATCH: %d %s", status, body)
						return
					}
				}
				t.Errorf("client %d never won", i)
			}()
		}
		wg.Wait()
		if len(winners) != n {
			t.Fatalf("%d winners, want %d", len(winners), n)
		}
		for v := 2; v <= n+1; v++ {
			if _, ok := winners[`"`+strconv.Itoa(v)+`"`]; !ok {
				t.Fatalf("no PATCH produced version %d: %v", v, winners)
			}
		}
		res := e.Call("GET", path, tok, "")
		want(t, res, http.StatusOK)
		last := `"` + strconv.Itoa(n+1) + `"`
		if res.Header.Get("ETag") != last || res.JSON(t)["taxIdentificationNumber"] != winners[last] {
			t.Fatalf("final state %s %v, want %s %s", res.Header.Get("ETag"), res.JSON(t)["taxIdentificationNumber"], last, winners[last])
		}
		t.Logf("%d PATCHes applied, %d refused with 412", n, lost)
	})
}
