package httpapi

import (
	"reflect"
	"slices"
	"testing"

	"github.com/kund/kund/internal/customer"
)

type decodeInner struct {
	A string `json:"a"`
}

type decodeAll struct {
	S  string                            `json:"s"`
	B  bool                              `json:"b"`
	O  *decodeInner                      `json:"o"`
	M  map[string]string                 `json:"m"`
	OS *customer.Opt[string]             `json:"os"`
	OB *customer.Opt[bool]               `json:"ob"`
	OO *customer.Opt[decodeInner]        `json:"oo"`
	OM *customer.Opt[map[string]*string] `json:"om"`
	_  refused                           `property:"r" refuse:"is refused here"`
}

func decodeTest(t *testing.T, body string) (*decodeAll, []customer.Problem) {
	t.Helper()
	var p customer.Problems
	o, err := parseBody([]byte(body), &p)
	if err != nil {
		return nil, customer.ErrorProblems(err)
	}
	var v decodeAll
	decodeInto(o, reflect.ValueOf(&v).Elem())
	return &v, customer.ErrorProblems(p.Err())
}

// TestDecodeInto: a wire type's tags say how each property is read, in any
// letter case, with every problem named by its field path.
func TestDecodeInto(t *testing.T) {
	v, problems := decodeTest(t, `{"S":"x","b":true,"o":{"A":"y"},"m":{"Key":"v","k2":""},"os":null,"OB":false,
		"oo":{"a":"z"},"om":{"gone":null,"kept":"w"},"@id":"ignored"}`)
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if v.S != "x" || !v.B || v.O == nil || v.O.A != "y" || !reflect.DeepEqual(v.M, map[string]string{"Key": "v", "k2": ""}) ||
		v.OS == nil || !v.OS.Null || v.OB == nil || v.OB.Null || v.OB.Value || v.OO == nil || v.OO.Null || v.OO.Value.A != "z" ||
		v.OM == nil || v.OM.Null || v.OM.Value["gone"] != nil || *v.OM.Value["kept"] != "w" {
		t.Fatalf("decoded %+v", v)
	}
	// Absent stays absent; null of an optional object or map removes.
	v, _ = decodeTest(t, `{"oo":null,"om":null,"o":null,"m":null}`)
	if v.S != "" || v.O != nil || v.M != nil || v.OS != nil || v.OB != nil || v.OO == nil || !v.OO.Null || v.OM == nil || !v.OM.Null {
		t.Fatalf("nulls: %+v", v)
	}
	_, problems = decodeTest(t, `{"s":1,"b":"yes","o":{"a":2,"z":1},"m":{"k":3},"os":true,"oo":{"b":1},"om":{"k":[]},"r":1,"x":1}`)
	var fields []string
	for _, p := range problems {
		fields = append(fields, p.Field)
	}
	slices.Sort(fields)
	if want := []string{"b", "m.k", "o.a", "o.z", "om.k", "oo.b", "os", "r", "s", "x"}; !slices.Equal(fields, want) {
		t.Fatalf("problems %v, want the fields %v", problems, want)
	}
}

// TestWireTypesDecode: every request type of wire.go has a decoding plan
// (a field the decoder cannot read panics at the first request otherwise).
func TestWireTypesDecode(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[createRequest](), reflect.TypeFor[patchRequest](), reflect.TypeFor[addressBody](),
		reflect.TypeFor[findRequest](), reflect.TypeFor[generateRequest](), reflect.TypeFor[emptyRequest](),
		reflect.TypeFor[surplusRequest](), reflect.TypeFor[disbursementRequest](), reflect.TypeFor[kycAnswersRequest](),
		reflect.TypeFor[cardRegistrationRequest](), reflect.TypeFor[productsRequest]()} {
		fieldsOf(typ)
	}
}
