package register

import (
	"reflect"
	"testing"
)

// TestCoalesce: a page keeps one change per person, where the person's
// last one was, with the last state and every kind; invalid changes stay.
func TestCoalesce(t *testing.T) {
	p := func(regNo, city string) Person {
		return Person{Country: "SE", RegNo: regNo, Address: Address{City: city}}
	}
	in := []Change{
		{ID: "1", Kinds: []string{KindMoved}, Person: p("A", "x")},
		{ID: "2", Kinds: []string{KindMoved}, Person: p("B", "y")},
		{ID: "3", Invalid: "zipCode: not valid"},
		{ID: "4", Kinds: []string{KindDeceased, KindMoved}, Person: p("A", "z")},
	}
	got := coalesce(in)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if !reflect.DeepEqual(ids, []string{"2", "3", "4"}) {
		t.Fatalf("ids %v", ids)
	}
	if a := got[2]; a.Person.Address.City != "z" || !reflect.DeepEqual(a.Kinds, []string{KindMoved, KindDeceased}) {
		t.Fatalf("the person's change %+v", a)
	}
}
