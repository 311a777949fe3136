package register

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
)

// Header is the header row of a register file (DESIGN.md), in this order.
var Header = []string{"country", "regNo", "firstName", "lastName", "coAddress", "streetAddress",
	"zipCode", "city", "protectedIdentity", "deceased", "phone"}

// RowError is one rejected row of a register file. Message never quotes
// the identity number.
type RowError struct {
	Line    int
	Message string
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// Snapshot is one loaded version of a register file.
type Snapshot struct {
	byID    map[string]*Person // country + " " + regNo
	byPhone map[string][]*Person
}

// Len is the number of persons loaded.
func (s *Snapshot) Len() int { return len(s.byID) }

func idKey(country, regNo string) string { return country + " " + regNo }

// maxFieldLen bounds the text fields (the names and the address lines);
// the legal address allows 72 characters for a line and 27 for the city.
// They are also checked as the domain checks every text a person reads.
var maxFieldLen = map[int]int{2: 72, 3: 72, 4: 72, 5: 72, 7: 27}

// Parse reads a register file. Every row is validated on its own: a bad row
// is reported with its line number and left out whole, the others load. An
// error is returned only when the file as a whole is unusable (unreadable,
// wrong header).
func Parse(r io.Reader, now time.Time) (*Snapshot, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // a short row is a row error, not the end of the load
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("register file: reading the header: %w", err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	if len(head) != len(Header) {
		return nil, nil, fmt.Errorf("register file: the header must be %s", strings.Join(Header, ","))
	}
	for i, h := range Header {
		if strings.TrimSpace(head[i]) != h {
			return nil, nil, fmt.Errorf("register file: the header must be %s", strings.Join(Header, ","))
		}
	}
	s := &Snapshot{byID: map[string]*Person{}, byPhone: map[string][]*Person{}}
	var bad []RowError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			bad = append(bad, RowError{Line: pe.Line, Message: "not valid CSV: " + pe.Err.Error()})
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				continue
			}
			// A quoting error leaves the reader unable to find the next row.
			return nil, bad, fmt.Errorf("register file: line %d: %w", pe.Line, pe.Err)
		} else if err != nil {
			return nil, bad, fmt.Errorf("register file: %w", err)
		}
		line, _ := cr.FieldPos(0)
		p, msg := parseRow(rec, now)
		if msg == "" {
			if _, dup := s.byID[idKey(p.Country, p.RegNo)]; dup {
				msg = "regNo: appears on an earlier line"
			}
		}
		if msg != "" {
			bad = append(bad, RowError{Line: line, Message: msg})
			continue
		}
		s.byID[idKey(p.Country, p.RegNo)] = p
		if p.Phone != "" {
			s.byPhone[p.Phone] = append(s.byPhone[p.Phone], p)
		}
	}
	return s, bad, nil
}

// parseRow validates one row and returns the person or what is wrong.
func parseRow(rec []string, now time.Time) (*Person, string) {
	if len(rec) != len(Header) {
		return nil, fmt.Sprintf("has %d fields, want %d", len(rec), len(Header))
	}
	f := make([]string, len(rec))
	for i, v := range rec {
		f[i] = strings.TrimSpace(v)
		n, ok := maxFieldLen[i]
		if !ok {
			continue
		}
		if len([]rune(f[i])) > n {
			return nil, fmt.Sprintf("%s: longer than %d characters", Header[i], n)
		}
		if msg := customer.CheckText(f[i]); msg != "" {
			return nil, Header[i] + ": " + msg
		}
	}
	p := &Person{Country: f[0], FirstName: f[2], LastName: f[3]}
	if !nordic.IdentityCountry(p.Country) {
		return nil, "country: must be SE, NO, DK or FI"
	}
	canon, err := nordic.ParsePersonalNumber(p.Country, f[1], now)
	if err != nil {
		return nil, "regNo: " + err.Error()
	}
	if canon != f[1] {
		return nil, "regNo: not in the canonical form"
	}
	p.RegNo = canon
	if p.FirstName == "" && p.LastName == "" {
		return nil, "firstName, lastName: a person needs a name"
	}
	zip, err := nordic.ParsePostalCode(p.Country, f[6])
	if err != nil {
		return nil, "zipCode: " + err.Error()
	}
	if f[7] == "" {
		return nil, "city: must not be empty"
	}
	p.Address = Address{CoAddress: f[4], StreetAddress: f[5], ZipCode: zip, City: f[7], CountryCode: p.Country}
	var ok bool
	if p.ProtectedIdentity, ok = parseBool(f[8]); !ok {
		return nil, "protectedIdentity: must be true or false"
	}
	if p.Deceased, ok = parseBool(f[9]); !ok {
		return nil, "deceased: must be true or false"
	}
	if f[10] != "" {
		if p.Phone, err = nordic.ParseMSISDN(f[10]); err != nil {
			return nil, "phone: " + err.Error()
		}
	}
	return p, ""
}

func parseBool(s string) (bool, bool) {
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// File is the Provider of a register file. It loads the file when opened
// and again whenever its modification time or size changes (checked at
// each lookup: a stat costs microseconds and lookups are rare) or Reload is
// called (on SIGHUP). A reload that fails as a whole keeps the previous
// persons.
type File struct {
	path string
	now  func() time.Time
	// Report receives the outcome of every load: rejected rows and errors.
	report func(loaded int, bad []RowError, err error)

	mu      sync.Mutex
	snap    *Snapshot
	modTime time.Time
	size    int64
	changes changeLog // the feed: what each reload changed
}

// OpenFile loads a register file. report, when not nil, is told about every
// load (the first one included); rejected rows never stop a load.
func OpenFile(path string, report func(loaded int, bad []RowError, err error)) (*File, error) {
	f := &File{path: path, now: time.Now, report: report, changes: changeLog{run: strconv.FormatInt(time.Now().UnixNano(), 36)}}
	if err := f.Reload(); err != nil {
		return nil, err
	}
	return f, nil
}

// Reload reads the file again now.
func (f *File) Reload() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reloadLocked()
}

func (f *File) reloadLocked() error {
	fh, err := os.Open(f.path)
	if err != nil {
		f.tell(0, nil, err)
		return err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		f.tell(0, nil, err)
		return err
	}
	snap, bad, err := Parse(fh, f.now())
	if err != nil {
		f.tell(0, bad, err)
		return err
	}
	if f.snap != nil {
		f.record(f.snap, snap)
	}
	f.snap, f.modTime, f.size = snap, st.ModTime(), st.Size()
	f.tell(snap.Len(), bad, nil)
	return nil
}

// record adds the changes from the persons of old to those of cur to the
// feed. A person new to the file is nobody's change (no customer can have
// been kept in step with them), and one gone from it is no news the feed
// can act on.
func (f *File) record(old, cur *Snapshot) {
	keys := make([]string, 0, len(cur.byID))
	for k, p := range cur.byID {
		if o, ok := old.byID[k]; ok && *o != *p {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // one order for one difference
	for _, k := range keys {
		if kinds := diff(old.byID[k], cur.byID[k]); len(kinds) > 0 {
			f.changes.add(kinds, cur.byID[k])
		}
	}
}

// Changes returns the changes after cursor that reloads of the file found
// (Feed). The file is checked for a change first, as at a lookup; the
// changes made while Kund was not running are not in the feed (docs/register.md).
func (f *File) Changes(ctx context.Context, cursor string, limit int) ([]Change, error) {
	f.current()
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changes.after(cursor, limit)
}

func (f *File) tell(n int, bad []RowError, err error) {
	if f.report != nil {
		f.report(n, bad, err)
	}
}

// current returns the snapshot, reloading first when the file changed.
func (f *File) current() *Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st, err := os.Stat(f.path); err == nil && (!st.ModTime().Equal(f.modTime) || st.Size() != f.size) {
		f.reloadLocked() // on failure the previous snapshot stays
	}
	return f.snap
}

// Len is the number of persons currently loaded.
func (f *File) Len() int { return f.current().Len() }

// Lookup finds a person by country and canonical identity number.
func (f *File) Lookup(ctx context.Context, country, regNo string) (*Person, error) {
	p, ok := f.current().byID[idKey(country, regNo)]
	if !ok {
		return nil, ErrNotFound
	}
	cp := *p
	return &cp, nil
}

// LookupPhone finds the one person with an E.164 phone number.
func (f *File) LookupPhone(ctx context.Context, phone string) (*Person, error) {
	ps := f.current().byPhone[phone]
	switch len(ps) {
	case 0:
		return nil, ErrNotFound
	case 1:
		cp := *ps[0]
		return &cp, nil
	}
	return nil, ErrAmbiguous
}
