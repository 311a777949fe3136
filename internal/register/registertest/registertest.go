// Package registertest is a population register for tests: a real HTTP
// server on 127.0.0.1 that speaks the contract of docs/register.md. It is
// the fake of what lies outside Kund (SPAR, the Folkeregister, CPR, DVV or
// an operator's adapter), with knobs to make it slow or failing.
package registertest

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Person is a person as the contract sends it.
type Person struct {
	Country           string `json:"country"`
	RegNo             string `json:"regNo"`
	FirstName         string `json:"firstName"`
	LastName          string `json:"lastName"`
	CoAddress         string `json:"coAddress"`
	StreetAddress     string `json:"streetAddress"`
	ZipCode           string `json:"zipCode"`
	City              string `json:"city"`
	ProtectedIdentity bool   `json:"protectedIdentity"`
	Deceased          bool   `json:"deceased"`
	Phone             string `json:"phone"`
}

// Server is a running test register.
type Server struct {
	URL string

	srv *http.Server
	ln  net.Listener

	mu       sync.Mutex
	persons  []Person
	hits     int
	failNext int
	delay    time.Duration
	raw      string // when set, answered as is with 200
	changes  []Change
	dropped  int      // changes the register no longer keeps, from the first
	afters   []string // the cursors the feed was asked after
}

// Change is an entry of the register's change feed as the contract sends
// it; ID is its position, 1 for the first.
type Change struct {
	ID     string   `json:"id"`
	Kinds  []string `json:"kinds"`
	Person Person   `json:"person"`
}

// Start runs a register holding persons until the test ends.
func Start(t testing.TB, persons ...Person) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln, persons: persons}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// Stop stops the register: further lookups find nobody listening.
func (s *Server) Stop() { s.srv.Close() }

// Set replaces the persons.
func (s *Server) Set(persons ...Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.persons = persons
}

// Change records a change of a person: the person is replaced (or added)
// for lookups, and the change is appended to the feed.
func (s *Server) Change(p Person, kinds ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.persons, func(q Person) bool { return q.Country == p.Country && q.RegNo == p.RegNo })
	if i < 0 {
		s.persons = append(s.persons, p)
	} else {
		s.persons[i] = p
	}
	s.changes = append(s.changes, Change{ID: strconv.Itoa(len(s.changes) + 1), Kinds: kinds, Person: p})
}

// Drop makes the register forget its first n changes: a cursor before
// them is answered 410, and the feed starts after them.
func (s *Server) Drop(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropped = min(n, len(s.changes))
}

// Afters are the cursors of the requests of the change feed, in order
// ("" for the first page).
func (s *Server) Afters() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.afters)
}

// FailNext makes the next n requests (lookups and the feed) answer 503.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// Delay makes every answer wait d.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// AnswerRaw makes every lookup answer body with 200, whatever was asked.
func (s *Server) AnswerRaw(body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw = body
}

// Hits is the number of lookups received.
func (s *Server) Hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/changes" {
		s.serveChanges(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/lookup" {
		http.NotFound(w, r)
		return
	}
	var q struct{ Country, RegNo, Phone string }
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.hits++
	delay, fail, raw := s.delay, s.failNext > 0, s.raw
	if fail {
		s.failNext--
	}
	var found []Person
	for _, p := range s.persons {
		if q.Phone != "" && p.Phone == q.Phone || q.Phone == "" && p.Country == q.Country && p.RegNo == q.RegNo {
			found = append(found, p)
		}
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case fail:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"maintenance"}`))
	case raw != "":
		w.Write([]byte(raw))
	case len(found) == 0:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"not found"}`))
	case len(found) > 1:
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"error":"ambiguous"}`))
	default:
		json.NewEncoder(w).Encode(found[0])
	}
}

// serveChanges answers GET /changes?after=CURSOR&limit=N.
func (s *Server) serveChanges(w http.ResponseWriter, r *http.Request) {
	after, limit := 0, 100
	var err error
	if v := r.URL.Query().Get("after"); v != "" {
		if after, err = strconv.Atoi(v); err != nil || after < 0 {
			http.Error(w, "after: not a cursor of this register", http.StatusBadRequest)
			return
		}
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			http.Error(w, "limit: must be a positive number", http.StatusBadRequest)
			return
		}
	}
	s.mu.Lock()
	s.afters = append(s.afters, r.URL.Query().Get("after"))
	fail := s.failNext > 0
	if fail {
		s.failNext--
	}
	gone := r.URL.Query().Get("after") != "" && after < s.dropped
	after = max(after, s.dropped)
	page := []Change{}
	if after < len(s.changes) {
		page = append(page, s.changes[after:min(after+limit, len(s.changes))]...)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case fail:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"maintenance"}`))
	case gone:
		w.WriteHeader(http.StatusGone)
		w.Write([]byte(`{"error":"the changes after this cursor are no longer kept"}`))
	default:
		json.NewEncoder(w).Encode(map[string]any{"changes": page})
	}
}
