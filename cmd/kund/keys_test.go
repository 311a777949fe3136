package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kund/kund/internal/app"
	"github.com/kund/kund/internal/pgtest"
)

// TestKeysRotateUnderLoad rotates the key of a database that a serving
// Kund writes to all along: every acknowledged write is kept, nothing is
// left under the old key, and the old key can then be retired without a
// lookup noticing.
func TestKeysRotateUnderLoad(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "k.db")
		rotateUnderLoad(t, db, db+".key")
	})
	t.Run("postgres", func(t *testing.T) {
		key := filepath.Join(t.TempDir(), "kund.key")
		mustRun(t, nil, "keys", "create", key)
		t.Setenv("KUND_SECRET_KEY_FILE", key)
		rotateUnderLoad(t, pgtest.URL(t), key)
	})
}

func rotateUnderLoad(t *testing.T, db, keyFile string) {
	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	tok := strings.TrimSpace(mustRun(t, nil, "token", "create", "--db", db, "--ledger", "L", "--scope", "*"))
	s := serve(t, []string{"KUND_DB=" + db, "KUND_ADDR=127.0.0.1:0"}, "serve")
	base := "http://" + s.addr + "/ledger/customer/v1/L/customers"
	call := func(method, url, body string) (int, []byte) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", "*")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}

	var mu sync.Mutex
	emails := map[string]string{} // customer number: its last acknowledged e-mail address
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				no := fmt.Sprintf("%d%06d", w+1, i)
				email := "c" + no + "@example.se"
				if code, _ := call("POST", base, `{"customerNo":"`+no+`","legalEntity":"consumer","name":"Kund Kundsson","emailAddress":"`+email+`",
 "msisdn":"+46701234567","legalAddress":{"addressee":"Kund Kundsson","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`); code == 201 {
					mu.Lock()
					emails[no] = email
					mu.Unlock()
				}
				if i%3 == 2 {
					prev := fmt.Sprintf("%d%06d", w+1, i-1)
					email := "p" + prev + "@example.se"
					if code, _ := call("PATCH", base+"/"+prev, `{"emailAddress":"`+email+`"}`); code == 200 {
						mu.Lock()
						emails[prev] = email
						mu.Unlock()
					}
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	out := mustRun(t, nil, "keys", "rotate", "--db", db)
	time.Sleep(1500 * time.Millisecond) // writes after the rotation, all under the new key
	close(stop)
	wg.Wait()
	if !strings.Contains(out, "under v2") || strings.Contains(out, "under v1") || strings.Contains(out, "in clear") {
		t.Fatalf("rotate printed %q", out)
	}

	store, err := app.OpenStore(context.Background(), db, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := store.(interface {
		SealedVersions(ctx context.Context) (map[uint32]int64, error)
	}).SealedVersions(context.Background())
	store.Close()
	if err != nil || counts[1] != 0 || counts[0] != 0 || counts[2] < int64(len(emails)) {
		t.Fatalf("sealed values by key version: %v %v (%d customers)", counts, err, len(emails))
	}

	text, _ := os.ReadFile(keyFile)
	mustRun(t, nil, "keys", "retire", "v1", "--db", db)
	if after, _ := os.ReadFile(keyFile); strings.Contains(string(after), "kund-key v1 ") || !strings.Contains(string(after), "kund-index-key") {
		t.Fatalf("key file after retiring v1:\n%s\n(before:\n%s)", after, text)
	}
	time.Sleep(1100 * time.Millisecond) // the server reads the file again
	// Nothing was lost: every acknowledged write reads back, and is found
	// by its e-mail address through the blind index the retired key made.
	if len(emails) < 100 {
		t.Fatalf("only %d customers written: no load to speak of", len(emails))
	}
	for no, email := range emails {
		code, body := call("GET", base+"/"+no, "")
		var c struct{ EmailAddress string }
		json.Unmarshal(body, &c)
		if code != 200 || c.EmailAddress != email {
			t.Fatalf("customer %s: %d %s, want e-mail %s", no, code, body, email)
		}
	}
	for no, email := range emails {
		code, body := call("GET", base+"?emailAddress="+strings.ReplaceAll(email, "@", "%40"), "")
		if code != 200 || !strings.Contains(string(body), `"customerNo":"`+no+`"`) {
			t.Fatalf("list by %s: %d %s", email, code, body)
		}
		break
	}
	if code, body := call("POST", base, `{"customerNo":"9","legalEntity":"consumer","name":"After Retire","emailAddress":"after@example.se",
 "legalAddress":{"addressee":"After Retire","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`); code != 201 {
		t.Fatalf("a write after retiring v1: %d %s", code, body)
	}
	// A key that values are sealed under is not retired.
	if _, errOut, code := run(t, nil, "keys", "retire", "v2", "--db", db); code == 0 || !strings.Contains(errOut, "seals") {
		t.Fatalf("retiring the newest key: exit %d %s", code, errOut)
	}
}
