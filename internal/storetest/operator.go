package storetest

import (
	"crypto/sha256"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/operator"
)

func operatorStore(t *testing.T, s Store) operator.Store {
	t.Helper()
	o, ok := s.(operator.Store)
	if !ok {
		t.Fatalf("%T does not keep operators", s)
	}
	return o
}

// testOperators: operators are kept as they were given, a name is unique,
// an update is one transaction and an error of fn writes nothing.
func testOperators(t *testing.T, s Store) {
	ops := operatorStore(t, s)
	anna := &operator.Operator{Name: "anna@example.se", Role: operator.Agent, Ledgers: []string{"L-1", "L-2"},
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", CreatedAt: t0, UpdatedAt: t0}
	if err := ops.CreateOperator(ctx, anna); err != nil {
		t.Fatal(err)
	}
	if anna.ID == 0 {
		t.Fatal("no id set")
	}
	bo := &operator.Operator{Name: "Bo", Role: operator.Viewer, Ledgers: []string{}, PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
	if err := ops.CreateOperator(ctx, bo); err != nil {
		t.Fatal(err)
	}
	if bo.ID == anna.ID {
		t.Fatal("two operators share an id")
	}
	code(t, ops.CreateOperator(ctx, &operator.Operator{Name: "anna@example.se", Role: operator.Admin, Ledgers: []string{"L-1"},
		PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}), customer.ECONFLICT)

	got, err := ops.Operator(ctx, "anna@example.se")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, anna) {
		t.Fatalf("got %+v, want %+v", got, anna)
	}
	if got, err = ops.OperatorByID(ctx, bo.ID); err != nil || !reflect.DeepEqual(got, bo) {
		t.Fatalf("by id: got %+v, %v, want %+v", got, err, bo)
	}
	_, err = ops.Operator(ctx, "ANNA@example.se")
	code(t, err, customer.ENOTFOUND)
	_, err = ops.OperatorByID(ctx, anna.ID+bo.ID+100)
	code(t, err, customer.ENOTFOUND)

	all, err := ops.Operators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "Bo" || all[1].Name != "anna@example.se" {
		t.Fatalf("operators by name: %+v", all)
	}

	t1 := t0.Add(time.Hour)
	up, err := ops.UpdateOperator(ctx, "anna@example.se", func(o *operator.Operator) error {
		o.Disabled, o.PasswordHash, o.Ledgers, o.UpdatedAt = true, "new", []string{"L-3"}, t1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := *anna
	want.Disabled, want.PasswordHash, want.Ledgers, want.UpdatedAt = true, "new", []string{"L-3"}, t1
	if got, _ := ops.Operator(ctx, "anna@example.se"); !reflect.DeepEqual(got, &want) || !reflect.DeepEqual(up, &want) {
		t.Fatalf("after update: read %+v, returned %+v, want %+v", got, up, &want)
	}
	boom := errors.New("refused")
	if _, err := ops.UpdateOperator(ctx, "anna@example.se", func(o *operator.Operator) error {
		o.Disabled = false
		return boom
	}); err != boom {
		t.Fatalf("the error of fn: got %v, want it as it is", err)
	}
	if got, _ := ops.Operator(ctx, "anna@example.se"); !got.Disabled {
		t.Fatal("an update whose fn failed was written")
	}
	_, err = ops.UpdateOperator(ctx, "nobody", func(*operator.Operator) error { return nil })
	code(t, err, customer.ENOTFOUND)
}

// testOperatorSessions: sessions are found by the hash of their id, keep
// their times and language, and end one by one or all of an operator's.
func testOperatorSessions(t *testing.T, s Store) {
	ops := operatorStore(t, s)
	a := &operator.Operator{Name: "a", Role: operator.Admin, Ledgers: []string{"L"}, PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
	b := &operator.Operator{Name: "b", Role: operator.Viewer, Ledgers: []string{"L"}, PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
	for _, o := range []*operator.Operator{a, b} {
		if err := ops.CreateOperator(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	session := func(id string, o *operator.Operator) *operator.Session {
		h := sha256.Sum256([]byte(id))
		s := &operator.Session{IDHash: h[:], OperatorID: o.ID, CSRF: "csrf-" + id, Lang: "sv", CreatedAt: t0, SeenAt: t0}
		if err := ops.CreateOperatorSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a1, a2, b1 := session("a1", a), session("a2", a), session("b1", b)
	got, err := ops.OperatorSession(ctx, a1.IDHash)
	if err != nil || !reflect.DeepEqual(got, a1) {
		t.Fatalf("got %+v, %v, want %+v", got, err, a1)
	}
	a1.SeenAt, a1.Lang = t0.Add(time.Minute), "en"
	if err := ops.UpdateOperatorSession(ctx, a1); err != nil {
		t.Fatal(err)
	}
	if got, _ := ops.OperatorSession(ctx, a1.IDHash); !reflect.DeepEqual(got, a1) {
		t.Fatalf("after update: got %+v, want %+v", got, a1)
	}
	if got, _ := ops.OperatorSession(ctx, a2.IDHash); got.Lang != "sv" || !got.SeenAt.Equal(t0) {
		t.Fatalf("an update of one session changed another: %+v", got)
	}
	missing := sha256.Sum256([]byte("nope"))
	_, err = ops.OperatorSession(ctx, missing[:])
	code(t, err, customer.ENOTFOUND)

	if err := ops.DeleteOperatorSession(ctx, a2.IDHash); err != nil {
		t.Fatal(err)
	}
	_, err = ops.OperatorSession(ctx, a2.IDHash)
	code(t, err, customer.ENOTFOUND)
	if err := ops.DeleteOperatorSession(ctx, a2.IDHash); err != nil {
		t.Fatalf("ending an ended session: %v", err)
	}
	code(t, ops.UpdateOperatorSession(ctx, a2), customer.ENOTFOUND)

	session("a3", a)
	if err := ops.DeleteOperatorSessions(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = ops.OperatorSession(ctx, a1.IDHash)
	code(t, err, customer.ENOTFOUND)
	if _, err := ops.OperatorSession(ctx, b1.IDHash); err != nil {
		t.Fatalf("another operator's session ended: %v", err)
	}
}

// testOperatorSessionSweep: a session idle for IdleTimeout or older than
// AbsoluteTimeout goes; one in use within both stays.
func testOperatorSessionSweep(t *testing.T, s Store) {
	sw, ok := s.(Sweeper)
	if !ok {
		t.Fatalf("%T does not sweep", s)
	}
	ops := operatorStore(t, s)
	o := &operator.Operator{Name: "a", Role: operator.Admin, Ledgers: []string{"L"}, PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
	if err := ops.CreateOperator(ctx, o); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(24 * time.Hour)
	sessions := map[string]*operator.Session{}
	for id, times := range map[string][2]time.Time{
		"idle":  {now.Add(-time.Hour), now.Add(-operator.IdleTimeout)},
		"old":   {now.Add(-operator.AbsoluteTimeout), now.Add(-time.Minute)},
		"fresh": {now.Add(-operator.AbsoluteTimeout + time.Minute), now.Add(-operator.IdleTimeout + time.Minute)},
	} {
		h := sha256.Sum256([]byte(id))
		ss := &operator.Session{IDHash: h[:], OperatorID: o.ID, CSRF: "c", Lang: "en", CreatedAt: times[0], SeenAt: times[1]}
		if err := ops.CreateOperatorSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
		sessions[id] = ss
	}
	got, err := sw.Sweep(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.OperatorSessions != 2 {
		t.Fatalf("swept %d operator sessions, want 2", got.OperatorSessions)
	}
	if _, err := ops.OperatorSession(ctx, sessions["fresh"].IDHash); err != nil {
		t.Fatalf("a live session went: %v", err)
	}
	for _, id := range []string{"idle", "old"} {
		_, err := ops.OperatorSession(ctx, sessions[id].IDHash)
		code(t, err, customer.ENOTFOUND)
	}
}
