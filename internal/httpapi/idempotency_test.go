package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/customer"
)

const idemBody = `{"customerNo":"501","name":"Idem Potent","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`

func idemPost(e *apitest.Env, tok, path, key, body string) *apitest.Response {
	return e.Do(apitest.Request{Method: "POST", Path: path, Token: tok, Body: body, Header: map[string]string{"Idempotency-Key": key}})
}

func TestIdempotencyKey(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		e.Ledger("L2", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead, customer.ScopeWrite)
		tok2 := e.Token("L2", customer.ScopeRead, customer.ScopeWrite)
		path := "/ledger/customer/v1/L1/customers"

		first := idemPost(e, tok, path, "key-1", idemBody)
		want(t, first, http.StatusCreated)
		if first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatal("a first answer is not a replay")
		}
		again := idemPost(e, tok, path, "key-1", idemBody)
		want(t, again, http.StatusCreated)
		if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) ||
			again.Header.Get("Location") != first.Header.Get("Location") || again.Header.Get("ETag") != first.Header.Get("ETag") ||
			again.Header.Get("Content-Type") != first.Header.Get("Content-Type") {
			t.Fatalf("replay differs:\n%v %s\n%v %s", first.Header, first.Body, again.Header, again.Body)
		}
		// The same key with another body, or on another path, is a reuse.
		problem(t, idemPost(e, tok, path, "key-1", strings.Replace(idemBody, "501", "502", 1)),
			http.StatusUnprocessableEntity, customer.EIDEMPOTENCYREUSE)
		problem(t, idemPost(e, tok, "/ledger/customer/v1/L1/customers/501/billing-address", "key-1",
			`{"addressee":"B","city":"C","zipCode":"11122","countryCode":"SE"}`), http.StatusUnprocessableEntity, customer.EIDEMPOTENCYREUSE)
		// Keys are per ledger: L2 may use key-1 for its own customer.
		want(t, idemPost(e, tok2, "/ledger/customer/v1/L2/customers", "key-1", idemBody), http.StatusCreated)

		// A request that fails writes nothing and frees its key.
		problem(t, idemPost(e, tok, path, "key-2", `{"customerNo":"503"}`), http.StatusBadRequest, customer.EVALIDATION, "name", "legalAddress")
		want(t, idemPost(e, tok, path, "key-2", strings.Replace(idemBody, "501", "503", 1)), http.StatusCreated)
		// A conflict (the number is taken) is not stored either.
		problem(t, idemPost(e, tok, path, "key-3", idemBody), http.StatusConflict, customer.ECUSTOMEREXISTS)

		// A bad key names the header.
		problem(t, idemPost(e, tok, path, strings.Repeat("k", 256), idemBody), http.StatusBadRequest, customer.EVALIDATION, "Idempotency-Key")
		problem(t, idemPost(e, tok, path, "", idemBody), http.StatusBadRequest, customer.EVALIDATION, "Idempotency-Key")

		// Adding a billing address is replayed with its representation.
		bpath := "/ledger/customer/v1/L1/customers/501/billing-address"
		bbody := `{"addressee":"B","city":"C","zipCode":"11122","countryCode":"SE"}`
		b1 := idemPost(e, tok, bpath, "key-4", bbody)
		want(t, b1, http.StatusCreated)
		b2 := idemPost(e, tok, bpath, "key-4", bbody)
		want(t, b2, http.StatusCreated)
		if b2.Header.Get("Idempotent-Replayed") != "true" || string(b1.Body) != string(b2.Body) || b1.Header.Get("ETag") != b2.Header.Get("ETag") {
			t.Fatalf("billing replay differs:\n%s\n%s", b1.Body, b2.Body)
		}
		// Without the key the second POST is a real one, and conflicts.
		problem(t, e.Call("POST", bpath, tok, bbody), http.StatusConflict, customer.EBILLINGEXISTS)

		// After 24 hours the key is forgotten.
		e.Advance(customer.IdempotencyTTL + time.Minute)
		want(t, idemPost(e, tok, path, "key-1", strings.Replace(idemBody, "501", "504", 1)), http.StatusCreated)
	})
}

// TestIdempotentRetryStorm: 1,000 concurrent retries of one POST create
// exactly one customer; every answer is that customer's 201 (first or
// replayed) or 409 while the first is still running.
func TestIdempotentRetryStorm(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead, customer.ScopeWrite)
		body := `{"customerNo":"77","name":"Storm","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000, MaxConnsPerHost: 200}}
		defer client.CloseIdleConnections()
		const n = 1000
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			statuses = map[int]int{}
			bodies   = map[string]int{}
			fresh    int
		)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req, _ := http.NewRequestWithContext(ctx, "POST", e.URL+"/ledger/customer/v1/L1/customers", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Idempotency-Key", "storm")
				res, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				mu.Lock()
				defer mu.Unlock()
				statuses[res.StatusCode]++
				if res.StatusCode == http.StatusCreated {
					bodies[string(b)]++
					if res.Header.Get("Idempotent-Replayed") != "true" {
						fresh++
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		if statuses[http.StatusCreated]+statuses[http.StatusConflict] != n || fresh != 1 || len(bodies) != 1 {
			t.Fatalf("statuses %v, first answers %d, distinct bodies %d", statuses, fresh, len(bodies))
		}
		list := e.Call("GET", "/ledger/customer/v1/L1/customers", tok, "")
		want(t, list, http.StatusOK)
		if items := list.JSON(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("%d customers, want 1", len(items))
		}
		t.Logf("answers: %v", statuses)
	})
}

// TestIdempotencyInFlight: while a request holds the key, a retry is 409;
// once its lease ran out (its process died), a retry takes the key over
// and runs.
func TestIdempotencyInFlight(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead, customer.ScopeWrite)
		path := "/ledger/customer/v1/L1/customers"
		// The fingerprint Kund computes: method, path, query, then the body.
		sum := sha256.Sum256([]byte("POST " + path + "?\n" + idemBody))
		claim, replay, err := e.Kund.Service.BeginIdempotent(t.Context(), customer.Caller{LedgerNo: "L1", TokenID: apitest.TokenID(tok)}, "busy", hex.EncodeToString(sum[:]))
		if err != nil || claim == nil || replay != nil {
			t.Fatalf("claim: %v %v %v", claim, replay, err)
		}
		problem(t, idemPost(e, tok, path, "busy", idemBody), http.StatusConflict, customer.ECONFLICT)
		problem(t, idemPost(e, tok, path, "busy", strings.Replace(idemBody, "501", "502", 1)), http.StatusUnprocessableEntity, customer.EIDEMPOTENCYREUSE)
		e.Advance(customer.IdempotencyLease)
		first := idemPost(e, tok, path, "busy", idemBody)
		want(t, first, http.StatusCreated)
		again := idemPost(e, tok, path, "busy", idemBody)
		if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
			t.Fatalf("after the take-over: %d %s", again.Status, again.Body)
		}
		// The abandoned request cannot complete the key any more.
		if err := e.Kund.Service.FinishIdempotent(t.Context(), claim, true, []byte("late")); customer.ErrorCode(err) != customer.ECONFLICT {
			t.Fatalf("the abandoned claim completed the key: %v", err)
		}
	})
}

// TestLostAnswer: a write completes its key in its own transaction and
// names what it wrote; its answer is stored after the commit. When the
// process dies between the two, a retry is answered from what was written
// (as the first answer would have been), and nothing is written twice.
func TestLostAnswer(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.Ledger("L1", "SE", customer.NumbersClient)
		tok := e.Token("L1", customer.ScopeRead, customer.ScopeWrite)
		caller := customer.Caller{LedgerNo: "L1", TokenID: apitest.TokenID(tok)}
		path := "/ledger/customer/v1/L1/customers"
		body := idemBody
		sum := sha256.Sum256([]byte("POST " + path + "?\n" + body))
		// The first request: its write committed, then its process died.
		claim, _, err := e.Kund.Service.BeginIdempotent(t.Context(), caller, "lost-1", hex.EncodeToString(sum[:]))
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.Kund.Service.CreateCustomer(t.Context(), "L1", &customer.NewCustomer{CustomerNo: "501", Name: "Idem Potent",
			LegalAddress: &customer.AddressInput{Addressee: "A", City: "C", ZipCode: "11122", CountryCode: "SE"}}, customer.Completing(claim))
		if err != nil {
			t.Fatal(err)
		}
		// The retry: the customer the first request made, as a 201.
		again := idemPost(e, tok, path, "lost-1", body)
		want(t, again, http.StatusCreated)
		if again.Header.Get("Idempotent-Replayed") != "true" || again.Header.Get("Location") != path+"/"+c.No || again.Header.Get("ETag") != `"1"` ||
			again.JSON(t)["customerNo"] != c.No {
			t.Fatalf("the retry of a write whose answer was lost: %d %v %s", again.Status, again.Header, again.Body)
		}
		list := e.Call("GET", path+"?name=Idem", tok, "").JSON(t)["items"].([]any)
		if len(list) != 1 {
			t.Fatalf("%d customers after the retry, want 1", len(list))
		}

		// The same for an added billing address: the answer is the address.
		sum = sha256.Sum256([]byte("POST " + path + "/" + c.No + "/billing-address?\n" + `{"addressee":"B","city":"C","zipCode":"11122","countryCode":"SE"}`))
		claim, _, err = e.Kund.Service.BeginIdempotent(t.Context(), caller, "lost-2", hex.EncodeToString(sum[:]))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Kund.Service.AddBillingAddress(t.Context(), "L1", c.No, &customer.AddressInput{Addressee: "B", City: "C", ZipCode: "11122", CountryCode: "SE"}, "",
			customer.Completing(claim)); err != nil {
			t.Fatal(err)
		}
		again = idemPost(e, tok, path+"/"+c.No+"/billing-address", "lost-2", `{"addressee":"B","city":"C","zipCode":"11122","countryCode":"SE"}`)
		want(t, again, http.StatusCreated)
		if again.Header.Get("Idempotent-Replayed") != "true" || again.JSON(t)["addressee"] != "B" || again.Header.Get("ETag") != `"2"` {
			t.Fatalf("the retry of an added billing address: %d %v %s", again.Status, again.Header, again.Body)
		}
	})
}
