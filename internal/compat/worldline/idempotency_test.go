package worldline_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/apitest"
	"github.com/kund/kund/internal/compat/worldline"
	"github.com/kund/kund/internal/customer"
)

// signedKey is signed with an Idempotency-Key (not an X-GCS header, so
// not signed itself). Each request is signed a second after the one
// before, as a client's retry is: a signature is accepted once.
func signedKey(e *apitest.Env, keyID, secret, path, body, key string) *apitest.Response {
	return signedWith(e, keyID, secret, path, body, map[string]string{"Idempotency-Key": key})
}

func signedWith(e *apitest.Env, keyID, secret, path, body string, header map[string]string) *apitest.Response {
	e.Advance(time.Second)
	d := e.Now.UTC().Format(http.TimeFormat)
	meta := "eyJzZGtJZGVudGlmaWVyIjoiR28ifQ=="
	gcs := map[string]string{"X-GCS-ServerMetaInfo": meta}
	h := map[string]string{"Content-Type": "application/json", "Date": d, "X-GCS-ServerMetaInfo": meta}
	for k, v := range header {
		h[k] = v
		if strings.HasPrefix(k, "X-GCS-") {
			gcs[k] = v
		}
	}
	h["Authorization"] = "GCS v1HMAC:" + keyID + ":" + worldline.Signature(secret, "POST", "application/json", d, gcs, path)
	return e.Do(apitest.Request{Method: "POST", Path: path, Body: body, Header: h})
}

func replayed(t *testing.T, first, again *apitest.Response) {
	t.Helper()
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a first answer is not a replay")
	}
	if again.Status != first.Status || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) ||
		again.Header.Get("Content-Type") != first.Header.Get("Content-Type") {
		t.Fatalf("replay differs:\n%d %v %s\n%d %v %s", first.Status, first.Header, first.Body, again.Status, again.Header, again.Body)
	}
}

// fingerprint is the one Kund computes for a POST without a query.
func fingerprint(path, body string) string {
	sum := sha256.Sum256([]byte("POST " + path + "?\n" + body))
	return hex.EncodeToString(sum[:])
}

// TestIdempotencyKey: every POST of the dialect takes an Idempotency-Key
// with the native API's semantics, errors in Worldline's format.
func TestIdempotencyKey(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e, keyID, secret := start(t, b)
			ctx := context.Background()

			// Sessions: a session's answer carries a credential, which no
			// stored reply may keep, so a retry under the same key makes
			// another session (and the key is not held against it).
			first := signedKey(e, keyID, secret, "/v1/4711/sessions", `{}`, "s-1")
			if first.Status != http.StatusCreated {
				t.Fatalf("session: %d %s", first.Status, first.Body)
			}
			second := signedKey(e, keyID, secret, "/v1/4711/sessions", `{}`, "s-1")
			if second.Status != http.StatusCreated || second.Header.Get("Idempotent-Replayed") != "" ||
				second.JSON(t)["clientSessionId"] == first.JSON(t)["clientSessionId"] {
				t.Fatalf("a session was replayed: %d %v %s", second.Status, second.Header, second.Body)
			}

			// A lookup that asks the register: the retry is answered from
			// the stored reply, so the register is asked (and the asking
			// logged) once.
			path := "/v1/4711/products/9000/customerDetails"
			body := `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19800101-2387"}]}`
			logged := func() int {
				ls, _, err := e.Kund.Register.Lookups(ctx, "4711", nil, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				return len(ls)
			}
			before := logged()
			d1 := signedKey(e, keyID, secret, path, body, "d-1")
			if d1.Status != http.StatusOK || !strings.Contains(string(d1.Body), `"surname":"Adolfs"`) {
				t.Fatalf("register lookup: %d %s", d1.Status, d1.Body)
			}
			replayed(t, d1, signedKey(e, keyID, secret, path, body, "d-1"))
			if n := logged(); n != before+1 {
				t.Fatalf("the register was asked %d times for one request and its retry", n-before)
			}
			// The server SDKs' own header is the same key.
			replayed(t, d1, signedWith(e, keyID, secret, path, body, map[string]string{worldline.IdempotencyHeader: "d-1"}))
			if n := logged(); n != before+1 {
				t.Fatalf("the register was asked again for a retry under X-GCS-Idempotence-Key: %d", n-before)
			}
			wantError(t, signedWith(e, keyID, secret, path, body, map[string]string{worldline.IdempotencyHeader: "d-1", "Idempotency-Key": "d-2"}),
				http.StatusBadRequest, "21000120", "INVALID_VALUE", "")
			other := `{"countryCode":"SE","values":[{"key":"fiscalNumber","value":"19811218-9876"}]}`
			wantError(t, signedKey(e, keyID, secret, path, other, "d-1"), http.StatusUnprocessableEntity, "1422", "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
			wantError(t, signedKey(e, keyID, secret, path, body, strings.Repeat("k", 256)), http.StatusBadRequest, "21000120", "INVALID_VALUE", "Idempotency-Key")
			// A request that failed (a body that is not JSON) frees its key.
			wantError(t, signedKey(e, keyID, secret, path, `{`, "d-3"), http.StatusBadRequest, "21000120", "INVALID_VALUE", "")
			if res := signedKey(e, keyID, secret, path, body, "d-3"); res.Status != http.StatusOK {
				t.Fatalf("the key of a failed request is free again: %d %s", res.Status, res.Body)
			}

			// A retry while the first request still runs is 409.
			if _, _, err := e.Kund.Service.BeginIdempotent(ctx, customer.Caller{LedgerNo: "4711", TokenID: "worldline-key:" + keyID}, "busy", fingerprint(path, body)); err != nil {
				t.Fatal(err)
			}
			wantError(t, signedKey(e, keyID, secret, path, body, "busy"), http.StatusConflict, "1409", "DUPLICATE_REQUEST_IN_PROGRESS", "")

			// The client API's lookup too.
			var s map[string]any
			json.Unmarshal(first.Body, &s)
			client := func(key string) *apitest.Response {
				return e.Do(apitest.Request{Method: "POST", Path: "/client/v1/" + s["customerId"].(string) + "/products/9000/customerDetails", Body: body,
					Header: map[string]string{"Authorization": "GCS v1Client:" + s["clientSessionId"].(string), "X-GCS-ClientMetaInfo": "e30=", "Idempotency-Key": key}})
			}
			c1 := client("c-1")
			if c1.Status != http.StatusOK {
				t.Fatalf("client lookup: %d %s", c1.Status, c1.Body)
			}
			replayed(t, c1, client("c-1"))
			// Keys belong to the credential that sent them: the session's
			// d-1 is not the API key's, and runs (and is logged) anew.
			before = logged()
			if res := client("d-1"); res.Status != http.StatusOK || res.Header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("another credential's key: %d %v %s", res.Status, res.Header, res.Body)
			}
			if n := logged(); n != before+1 {
				t.Fatalf("a lookup under another credential's key was logged %d times", n-before)
			}

			// After a day the key is forgotten and the request runs again.
			e.Advance(25 * time.Hour)
			again := signedKey(e, keyID, secret, path, body, "d-1")
			if again.Status != http.StatusOK || again.Header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("a key after 24 h: %d %v %s", again.Status, again.Header, again.Body)
			}
		})
	}
}
