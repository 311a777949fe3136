package main_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kund/kund/internal/pgtest"
)

// TestPostgresCommands runs the admin commands and two servers on one
// PostgreSQL database, as an operator would.
func TestPostgresCommands(t *testing.T) {
	db := pgtest.URL(t)
	// Every process on the database needs the one secret key.
	if _, errOut, code := run(t, nil, "migrate", "--db", db); code != 1 || !strings.Contains(errOut, "--secret-key-file") {
		t.Fatalf("migrate without a key: exit %d %s", code, errOut)
	}
	key := filepath.Join(t.TempDir(), "kund.key")
	mustRun(t, nil, "keys", "create", key)
	if _, errOut, code := run(t, nil, "keys", "create", key); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("a second keys create: exit %d %s", code, errOut)
	}
	t.Setenv("KUND_SECRET_KEY_FILE", key)

	// Three processes migrate the empty database at once; all succeed.
	var wg sync.WaitGroup
	outs := make([]string, 3)
	codes := make([]int, 3)
	errOuts := make([]string, 3)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errOuts[i], codes[i] = run(t, nil, "migrate", "--db", db)
		}()
	}
	wg.Wait()
	for i := range outs {
		if codes[i] != 0 || outs[i] != "migrated\n" {
			t.Fatalf("concurrent migrate %d: exit %d %q %s", i, codes[i], outs[i], errOuts[i])
		}
	}

	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	if _, errOut, code := run(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("a second ledger L: exit %d %s", code, errOut)
	}
	out := mustRun(t, []string{"KUND_DB=" + db}, "token", "create", "--ledger", "L", "--scope", "customers:write")
	if !tokenPattern.MatchString(out) {
		t.Fatalf("token create printed %q", out)
	}
	tok := strings.TrimSpace(out)

	a := serve(t, nil, "serve", "--db", db, "--addr", "127.0.0.1:0")
	b := serve(t, []string{"KUND_DB=" + db}, "serve", "--addr", "127.0.0.1:0")
	body := `{"customerNo":"1","name":"N","legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
	req, _ := http.NewRequest("POST", "http://"+a.addr+"/ledger/customer/v1/L/customers", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create through the first server: %d", res.StatusCode)
	}
	req, _ = http.NewRequest("GET", "http://"+b.addr+"/ledger/customer/v1/L/customers/1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("read through the second server: %d", res.StatusCode)
	}
}
