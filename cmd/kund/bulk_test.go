package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func validRow(no int) string {
	return fmt.Sprintf(`{"customerNo":"%d","name":"Customer %d","emailAddress":"c%d@example.se",`+
		`"legalAddress":{"addressee":"Customer %d","city":"STOCKHOLM","zipCode":"111 22","countryCode":"se"}}`, no, no, no, no)
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// exportNumbers exports a ledger and returns its customer numbers in order.
func exportNumbers(t *testing.T, db, ledger string) []string {
	t.Helper()
	out := mustRun(t, nil, "export", "--db", db, "--ledger", ledger)
	var nos []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		nos = append(nos, m["customerNo"].(string))
	}
	return nos
}

func TestImportReportsBadRowsAndResumes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	file := writeFile(t, "in.ndjson", strings.Join([]string{
		validRow(1),
		`{"customerNo":"2","legalAddress":{"addressee":"B","city":"X","zipCode":"11122","countryCode":"SE"}}`,
		``,
		`{"customerNo":"3",`,
		validRow(4),
		`{"customerNo":"5","name":"E","shoeSize":44,"legalAddress":{"addressee":"E","city":"X","zipCode":"11122","countryCode":"SE"}}`,
		validRow(1), // the same number again: present, not a second customer
	}, "\n")+"\n")

	// --strict: the bad rows are named and nothing is written.
	_, errOut, code := run(t, nil, "import", "--db", db, "--ledger", "L", "--strict", file)
	if code != 1 || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("strict import: exit %d\n%s", code, errOut)
	}
	if nos := exportNumbers(t, db, "L"); len(nos) != 0 {
		t.Fatalf("strict import wrote %v", nos)
	}

	out, errOut, code := run(t, nil, "import", "--db", db, "--ledger", "L", file)
	if code != 1 {
		t.Fatalf("import with bad rows: exit %d, want 1\n%s", code, errOut)
	}
	for _, want := range []string{
		file + ":2: name: is required",
		file + ":4: body: is not valid JSON (unexpected end)",
		file + ":6: shoeSize: is not a known property",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if want := "6 rows: 2 imported, 1 already present, 3 bad"; !strings.Contains(out, want) {
		t.Fatalf("summary %q, want %q", out, want)
	}
	if nos := exportNumbers(t, db, "L"); strings.Join(nos, ",") != "1,4" {
		t.Fatalf("exported %v, want [1 4]", nos)
	}
	// The same file again changes nothing.
	out, _, _ = run(t, nil, "import", "--db", db, "--ledger", "L", file)
	if !strings.Contains(out, "0 imported, 3 already present") {
		t.Fatalf("second run: %s", out)
	}

	// The export imports into another ledger unchanged, and validates.
	mustRun(t, nil, "ledger", "create", "M", "--db", db, "--country", "SE")
	exp := filepath.Join(t.TempDir(), "out.ndjson")
	mustRun(t, nil, "export", "--db", db, "--ledger", "L", exp)
	mustRun(t, nil, "import", "--db", db, "--ledger", "M", "--strict", exp)
	a, _ := os.ReadFile(exp)
	mustRun(t, nil, "export", "--db", db, "--ledger", "M", exp)
	b, _ := os.ReadFile(exp)
	if string(a) != string(b) || !strings.Contains(string(a), `"zipCode":"11122","countryCode":"SE"`) {
		t.Fatalf("round trip differs or was not normalised:\n%s\n%s", a, b)
	}
}

func TestImportCSV(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	file := writeFile(t, "in.csv", "customerNo,name,nationalIdentifier.regNo,nationalIdentifier.countryCode,protectedIdentity,legalAddress.addressee,legalAddress.city,legalAddress.zipCode,legalAddress.countryCode\n"+
		"10,Anna,19121212-1212,SE,true,Anna,STOCKHOLM,11122,SE\n"+
		"11,Bo,19121212-1213,SE,,Bo,STOCKHOLM,11122,SE\n"+
		"12,\"Multi\nline\",,,maybe,C,STOCKHOLM,11122,SE\n"+
		"13,Dan,,,false,Dan,\"GÖTEBORG\",41101,SE\n"+
		"14,short\n")
	out, errOut, code := run(t, nil, "import", "--db", db, "--ledger", "L", file)
	if code != 1 || !strings.Contains(out, "5 rows: 2 imported, 0 already present, 3 bad") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{":3: nationalIdentifier.regNo:", ":4: protectedIdentity: must be true or false", ":7: row:"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if nos := exportNumbers(t, db, "L"); strings.Join(nos, ",") != "10,13" {
		t.Fatalf("exported %v", nos)
	}
	bad := writeFile(t, "bad.csv", "customerNo,shoeSize\n1,44\n")
	if _, errOut, code := run(t, nil, "import", "--db", db, "--ledger", "L", bad); code != 1 || !strings.Contains(errOut, `unknown column "shoeSize"`) {
		t.Fatalf("unknown column: exit %d %s", code, errOut)
	}
}

// An import killed with SIGKILL in the middle and run again ends with
// every valid row exactly once.
func TestImportResumesAfterKill(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	const n = 20000
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i%1000 == 0 {
			b.WriteString(`{"customerNo":"bad row"}` + "\n")
			continue
		}
		b.WriteString(validRow(i) + "\n")
	}
	file := writeFile(t, "big.ndjson", b.String())

	cmd := exec.Command(kund, "import", "--db", db, "--ledger", "L", "--batch", "100", "--progress", "1ms", file)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	killed := false
	for sc.Scan() {
		var read, imported int
		if _, err := fmt.Sscanf(sc.Text(), "kund import: %d rows read, %d imported", &read, &imported); err == nil && imported > 0 {
			cmd.Process.Kill()
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Skip("the import finished before it could be killed")
	}
	mid := len(exportNumbers(t, db, "L"))
	t.Logf("killed with %d of %d rows written", mid, n-n/1000)
	out, _, _ := run(t, nil, "import", "--db", db, "--ledger", "L", file)
	nos := exportNumbers(t, db, "L")
	if len(nos) != n-n/1000 {
		t.Fatalf("after the rerun: %d customers, want %d (%s)", len(nos), n-n/1000, out)
	}
	seen := map[string]bool{}
	for _, no := range nos {
		if seen[no] {
			t.Fatalf("customer %s twice", no)
		}
		seen[no] = true
	}
	if !strings.Contains(out, fmt.Sprintf("%d already present", mid)) {
		t.Fatalf("rerun summary %q, want %d already present", out, mid)
	}
}

// Rows are validated in chunks on every core and written in batches that
// span chunks: bad rows are still reported in file order with their own
// lines, and the customers are written in file order.
func TestImportOrderAcrossChunksAndBatches(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	const n = 5500
	var b strings.Builder
	var wantBad, wantNos []string
	for i := 1; i <= n; i++ {
		if i%700 == 0 {
			b.WriteString(`{"customerNo":"` + fmt.Sprint(i) + `","name":""}` + "\n")
			wantBad = append(wantBad, fmt.Sprintf(":%d: ", i))
			continue
		}
		b.WriteString(validRow(i) + "\n")
		wantNos = append(wantNos, fmt.Sprint(i))
	}
	file := writeFile(t, "rows.ndjson", b.String())
	out, errOut, code := run(t, nil, "import", "--db", db, "--ledger", "L", "--batch", "1300", file)
	if code != 1 || !strings.Contains(out, fmt.Sprintf("%d rows: %d imported, 0 already present, %d bad", n, len(wantNos), len(wantBad))) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var gotBad []string
	for _, line := range strings.Split(errOut, "\n") {
		if rest, ok := strings.CutPrefix(line, file); ok && strings.Contains(rest, "name: is required") {
			gotBad = append(gotBad, rest[:strings.Index(rest, " ")+1])
		}
	}
	if strings.Join(gotBad, ",") != strings.Join(wantBad, ",") {
		t.Fatalf("bad rows reported as %v, want %v", gotBad, wantBad)
	}
	if nos := exportNumbers(t, db, "L"); strings.Join(nos, ",") != strings.Join(wantNos, ",") {
		t.Fatalf("exported %d customers out of file order", len(nos))
	}
}

// An export holds personal data: the file is its owner's alone whatever
// the umask, and an existing file that others could read is tightened
// before the customers are written to it. The database kund made is 0600
// too.
func TestExportFileIsOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022) // inherited by the kund processes
	defer syscall.Umask(old)
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	mustRun(t, nil, "import", "--db", db, "--ledger", "L", writeFile(t, "in.ndjson", validRow(1)+"\n"))
	perm := func(p string) os.FileMode {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if got := perm(db); got != 0o600 {
		t.Errorf("the database has mode %04o, want 0600", got)
	}

	exp := filepath.Join(t.TempDir(), "out.ndjson")
	mustRun(t, nil, "export", "--db", db, "--ledger", "L", exp)
	if got := perm(exp); got != 0o600 {
		t.Errorf("a new export file has mode %04o under umask 022, want 0600", got)
	}

	existing := filepath.Join(t.TempDir(), "old.ndjson")
	if err := os.WriteFile(existing, []byte("an older, longer export\n\n\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, nil, "export", "--db", db, "--ledger", "L", existing)
	if got := perm(existing); got != 0o600 {
		t.Errorf("an existing 0644 export file has mode %04o after the export, want 0600", got)
	}
	a, _ := os.ReadFile(exp)
	b, _ := os.ReadFile(existing)
	if !bytes.Equal(a, b) || !strings.Contains(string(a), `"customerNo":"1"`) {
		t.Fatalf("the exports differ or lack the customer:\n%s\n%s", a, b)
	}
}

// TestMetadataExportImport: a customer's metadata goes out with kund export
// and in again with kund import, as NDJSON and as a CSV column of JSON.
func TestMetadataExportImport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustRun(t, nil, "ledger", "create", "L", "--db", db, "--country", "SE")
	row := `{"customerNo":"1","name":"A","metadata":{"crm":"A-17","segment":"retail"},"legalAddress":{"addressee":"A","city":"C","zipCode":"11122","countryCode":"SE"}}`
	mustRun(t, nil, "import", "--db", db, "--ledger", "L", writeFile(t, "in.ndjson", row+"\n"))
	out := mustRun(t, nil, "export", "--db", db, "--ledger", "L")
	if !strings.Contains(out, `"metadata":{"crm":"A-17","segment":"retail"}`) {
		t.Fatalf("export: %s", out)
	}
	db2 := filepath.Join(t.TempDir(), "k2.db")
	mustRun(t, nil, "ledger", "create", "L", "--db", db2, "--country", "SE")
	mustRun(t, nil, "import", "--db", db2, "--ledger", "L", writeFile(t, "again.ndjson", out))
	if again := mustRun(t, nil, "export", "--db", db2, "--ledger", "L"); again != out {
		t.Fatalf("export of the import of the export:\n%s\nwant\n%s", again, out)
	}
	csv := writeFile(t, "in.csv", "customerNo,name,metadata,legalAddress.addressee,legalAddress.city,legalAddress.zipCode,legalAddress.countryCode\n"+
		`2,B,"{""crm"":""B-1""}",B,C,11122,SE`+"\n"+
		`3,C,not json,C,C,11122,SE`+"\n")
	_, errOut, code := run(t, nil, "import", "--db", db2, "--ledger", "L", csv)
	if code != 1 || !strings.Contains(errOut, ":3: metadata: must be a JSON object") {
		t.Fatalf("CSV import: exit %d %s", code, errOut)
	}
	if out := mustRun(t, nil, "export", "--db", db2, "--ledger", "L"); !strings.Contains(out, `"customerNo":"2","legalEntity":"consumer","name":"B","protectedIdentity":false,"metadata":{"crm":"B-1"}`) {
		t.Fatalf("CSV metadata: %s", out)
	}
}
