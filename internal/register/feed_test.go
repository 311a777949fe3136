package register_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kund/kund/internal/register"
	"github.com/kund/kund/internal/register/registertest"
)

const feedHead = "country,regNo,firstName,lastName,coAddress,streetAddress,zipCode,city,protectedIdentity,deceased,phone\n"

// Persons of the file feed's test, one per Nordic country.
const (
	seRow = "SE,19811218-9876,Britt-Marie,Axelstopp,c/o Jansson,The street 18,15961,STOCKHOLM,false,false,\n"
	noRow = "NO,01010750160,Kari,Nordmann,,Storgata 1,0150,OSLO,false,false,\n"
	dkRow = "DK,010190-1234,Jens,Hansen,,Vesterbrogade 1,1620,KØBENHAVN V,false,false,\n"
	fiRow = "FI,131052-308T,Matti,Virtanen,,Mannerheimintie 1,00100,HELSINKI,false,false,\n"
)

func writeFile(t *testing.T, path string, rows ...string) {
	t.Helper()
	// A reload is noticed by modification time or size; a test writes
	// faster than a file system's clock may tick.
	st, _ := os.Stat(path)
	if err := os.WriteFile(path, []byte(feedHead+strings.Join(rows, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	if st != nil {
		os.Chtimes(path, time.Now(), st.ModTime().Add(time.Second))
	}
}

func kindsOf(cs []register.Change) [][]string {
	var out [][]string
	for _, c := range cs {
		out = append(out, c.Kinds)
	}
	return out
}

// TestFileFeed: the file provider's feed is the difference between two
// loads of the file, a change per person, with the person after it.
func TestFileFeed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "persons.csv")
	writeFile(t, path, seRow, noRow, dkRow, fiRow)
	f, err := register.OpenFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := f.Changes(ctx, "", 10); err != nil || len(cs) != 0 {
		t.Fatalf("the first load is no change: %v %v", cs, err)
	}

	writeFile(t, path,
		strings.Replace(seRow, "c/o Jansson,The street 18,15961,STOCKHOLM", ",Vasagatan 3,41101,GÖTEBORG", 1),                // moved
		strings.Replace(noRow, "Nordmann", "Hansen", 1),                                                                      // name changed
		strings.Replace(dkRow, ",Vesterbrogade 1,1620,KØBENHAVN V,false", "c/o Særlig,Postboks 12,1620,KØBENHAVN V,true", 1), // protected
		strings.Replace(fiRow, "false,false", "false,true", 1),                                                               // deceased
		"SE,19121212-1212,Tolvan,Tolvansson,,Storgatan 12,11122,STOCKHOLM,false,false,\n",                                    // new: no change
	)
	cs, err := f.Changes(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	// The changes come in one order: by country and number.
	want := [][]string{{register.KindProtected}, {register.KindDeceased}, {register.KindNameChanged}, {register.KindMoved}}
	if got := kindsOf(cs); !reflect.DeepEqual(got, want) {
		t.Fatalf("kinds %v, want %v", got, want)
	}
	if p := cs[3].Person; p.RegNo != "19811218-9876" || p.Address.City != "GÖTEBORG" || p.Address.CoAddress != "" {
		t.Fatalf("the moved person is %+v", p)
	}
	if p := cs[0].Person; !p.ProtectedIdentity || p.Address.StreetAddress != "Postboks 12" {
		t.Fatalf("the protected person is %+v", p)
	}

	// The cursor resumes behind a change; nothing new is nothing.
	rest, err := f.Changes(ctx, cs[1].ID, 10)
	if err != nil || len(rest) != 2 || rest[0].ID != cs[2].ID {
		t.Fatalf("after %s: %v %v", cs[1].ID, kindsOf(rest), err)
	}
	if more, err := f.Changes(ctx, cs[3].ID, 10); err != nil || len(more) != 0 {
		t.Fatalf("after the last: %v %v", more, err)
	}
	if page, _ := f.Changes(ctx, "", 2); len(page) != 2 {
		t.Fatalf("limit 2 gave %d", len(page))
	}

	// Protection lifted is reported (monitoring decides what to do).
	writeFile(t, path, seRow, noRow, dkRow, fiRow)
	more, err := f.Changes(ctx, cs[3].ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	// The FI person is alive again in the file: no kind of change Kund acts on.
	if got := kindsOf(more); !reflect.DeepEqual(got, [][]string{{register.KindProtectionLifted}, {register.KindNameChanged}, {register.KindMoved}}) {
		t.Fatalf("kinds after the second reload %v", got)
	}

	// A cursor of an earlier run of Kund reads this run's changes from the start;
	// one that is not a cursor of the file is expired.
	if again, err := f.Changes(ctx, "12345.3", 100); err != nil || len(again) != 7 {
		t.Fatalf("another run's cursor: %d changes, %v", len(again), err)
	}
	if _, err := f.Changes(ctx, "garbage", 10); !errors.Is(err, register.ErrCursorExpired) {
		t.Fatalf("a foreign cursor: %v", err)
	}
}

// TestHTTPFeed: GET /changes of the contract, its cursor, its failures.
func TestHTTPFeed(t *testing.T) {
	srv := registertest.Start(t, britt)
	h := newHTTP(t, srv.URL, register.HTTPOptions{})
	if cs, err := h.Changes(ctx, "", 10); err != nil || len(cs) != 0 {
		t.Fatalf("an empty feed: %v %v", cs, err)
	}
	moved := britt
	moved.StreetAddress, moved.ZipCode, moved.City, moved.CoAddress = "Vasagatan 3", "41101", "GÖTEBORG", ""
	srv.Change(moved, register.KindMoved)
	dead := kari
	dead.Deceased = true
	srv.Change(dead, register.KindDeceased, "emigrated-to-mars")
	bad := kari
	bad.ZipCode = "x"
	srv.Change(bad, register.KindMoved)

	cs, err := h.Changes(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 || cs[0].ID != "1" || cs[0].Person.Address.City != "GÖTEBORG" || cs[0].Invalid != "" {
		t.Fatalf("changes %+v", cs)
	}
	if !reflect.DeepEqual(cs[1].Kinds, []string{register.KindDeceased}) || !cs[1].Person.Deceased {
		t.Fatalf("an unknown kind is left out, the rest kept: %+v", cs[1])
	}
	if cs[2].Invalid == "" || cs[2].Person.RegNo != "" {
		t.Fatalf("an invalid person is marked, not used: %+v", cs[2])
	}
	if strings.Contains(cs[2].Invalid, kari.RegNo) {
		t.Fatalf("the reason quotes the identity number: %s", cs[2].Invalid)
	}
	if rest, err := h.Changes(ctx, "2", 10); err != nil || len(rest) != 1 || rest[0].ID != "3" {
		t.Fatalf("after 2: %+v %v", rest, err)
	}
	// A lookup sees the change too.
	if p, err := h.Lookup(ctx, "SE", britt.RegNo); err != nil || p.Address.City != "GÖTEBORG" {
		t.Fatalf("lookup after the change: %+v %v", p, err)
	}

	srv.FailNext(1)
	if _, err := h.Changes(ctx, "", 10); !errors.Is(err, register.ErrUnavailable) {
		t.Fatalf("a 503: %v", err)
	}
	srv.AnswerRaw("x") // lookups only; the feed answers as before
	if _, err := h.Changes(ctx, "not-a-number", 10); !errors.Is(err, register.ErrUnavailable) {
		t.Fatalf("a 400: %v", err)
	}
	srv.Stop()
	if _, err := h.Changes(ctx, "", 10); !errors.Is(err, register.ErrUnavailable) {
		t.Fatalf("a register that is gone: %v", err)
	}
}

// TestCacheForgetsChangedPersons: a cached lookup never answers from
// before a change the feed reported.
func TestCacheForgetsChangedPersons(t *testing.T) {
	srv := registertest.Start(t, britt)
	c := register.NewCache(newHTTP(t, srv.URL, register.HTTPOptions{}), time.Hour, 0, nil)
	if _, err := c.Lookup(ctx, "SE", britt.RegNo); err != nil {
		t.Fatal(err)
	}
	protected := britt
	protected.ProtectedIdentity, protected.StreetAddress = true, "Box 1"
	srv.Change(protected, register.KindProtected)
	feed := register.FeedOf(c)
	if feed == nil {
		t.Fatal("a cache of an HTTP register has no feed")
	}
	if cs, err := feed.Changes(ctx, "", 10); err != nil || len(cs) != 1 {
		t.Fatalf("%v %v", cs, err)
	}
	p, err := c.Lookup(ctx, "SE", britt.RegNo)
	if err != nil || !p.ProtectedIdentity {
		t.Fatalf("after the change the cache answered %+v %v", p, err)
	}
	if register.FeedOf(register.None{}) != nil {
		t.Fatal("no register has a feed")
	}
}
