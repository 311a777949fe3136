package register

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Kinds of a change of a person in the register.
const (
	KindMoved            = "moved"
	KindNameChanged      = "name-changed"
	KindProtected        = "protected"
	KindProtectionLifted = "protection-lifted"
	KindDeceased         = "deceased"
)

// Kinds lists every kind of change, in the order a change names them.
var Kinds = []string{KindMoved, KindNameChanged, KindProtected, KindProtectionLifted, KindDeceased}

// Change is one entry of a register's change feed: what changed about a
// person, and the person as the register knows them after the change.
// Applying a change means bringing customers in step with Person, so
// applying it twice changes nothing the second time.
type Change struct {
	// ID is the feed's cursor after this change: asking for the changes
	// after ID resumes behind it.
	ID     string
	Kinds  []string // of Kinds; kinds Kund does not know are left out
	Person Person
	// Invalid says what is wrong with a person the contract does not
	// allow (Person is then empty): the change is skipped.
	Invalid string
}

// ErrCursorExpired: the register no longer keeps the changes after the
// cursor asked about, so the feed must start again from its oldest.
var ErrCursorExpired = errors.New("register: the change feed no longer has that cursor")

// Feed is a register's change feed.
type Feed interface {
	// Changes returns up to limit changes after cursor ("": from the
	// oldest the register keeps), oldest first; none when there is nothing
	// new. Errors wrap ErrUnavailable or are ErrCursorExpired.
	Changes(ctx context.Context, cursor string, limit int) ([]Change, error)
}

// FeedOf is p's change feed, or nil when its register has none. A cache
// in front of a feed forgets the persons the feed reports changed, so a
// lookup after a change never answers from before it.
func FeedOf(p Provider) Feed {
	switch p := p.(type) {
	case *Cache:
		if f := FeedOf(p.p); f != nil {
			return cacheFeed{c: p, f: f}
		}
	case Feed:
		return p
	}
	return nil
}

type cacheFeed struct {
	c *Cache
	f Feed
}

func (cf cacheFeed) Changes(ctx context.Context, cursor string, limit int) ([]Change, error) {
	cs, err := cf.f.Changes(ctx, cursor, limit)
	for _, ch := range cs {
		cf.c.Forget(ch.Person.Country, ch.Person.RegNo, ch.Person.Phone)
	}
	return cs, err
}

// diff is the change from old to cur of one person, nil when nothing the
// feed reports changed.
func diff(old, cur *Person) []string {
	var kinds []string
	if old.Address != cur.Address && cur.ProtectedIdentity == old.ProtectedIdentity {
		kinds = append(kinds, KindMoved)
	}
	if old.FirstName != cur.FirstName || old.LastName != cur.LastName {
		kinds = append(kinds, KindNameChanged)
	}
	switch {
	case cur.ProtectedIdentity && !old.ProtectedIdentity:
		kinds = append(kinds, KindProtected)
	case !cur.ProtectedIdentity && old.ProtectedIdentity:
		kinds = append(kinds, KindProtectionLifted)
	}
	if cur.Deceased && !old.Deceased {
		kinds = append(kinds, KindDeceased)
	}
	return kinds
}

// changeLog is the file provider's feed: the changes between loads of the
// file, kept in memory and numbered within one run of Kund. A cursor is
// "<run>.<sequence>"; a cursor of another run (Kund restarted, and the
// changes of the earlier run are gone with it) reads from the start.
type changeLog struct {
	run     string
	first   int64 // sequence of entries[0]
	entries []Change
}

// maxChangeLog bounds the changes the file provider keeps: a monitor runs
// in the same process and reads them within seconds.
const maxChangeLog = 100_000

func (l *changeLog) add(kinds []string, p *Person) {
	seq := l.first + int64(len(l.entries)) + 1
	l.entries = append(l.entries, Change{ID: l.run + "." + strconv.FormatInt(seq, 10), Kinds: kinds, Person: *p})
	if over := len(l.entries) - maxChangeLog; over > 0 {
		l.entries = append(l.entries[:0:0], l.entries[over:]...)
		l.first += int64(over)
	}
}

func (l *changeLog) after(cursor string, limit int) ([]Change, error) {
	from := int64(0) // the sequence the answer starts after
	if run, seq, ok := strings.Cut(cursor, "."); ok && run == l.run {
		n, err := strconv.ParseInt(seq, 10, 64)
		if err != nil || n < 0 {
			return nil, ErrCursorExpired
		}
		from = n
	} else if cursor != "" && !ok {
		return nil, ErrCursorExpired
	}
	if from < l.first {
		if from > 0 {
			return nil, ErrCursorExpired
		}
		from = l.first
	}
	i := int(from - l.first)
	if i >= len(l.entries) {
		return nil, nil
	}
	out := l.entries[i:min(i+limit, len(l.entries))]
	return append([]Change(nil), out...), nil
}
