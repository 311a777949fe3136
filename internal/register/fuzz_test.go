package register

import (
	"strings"
	"testing"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/nordic"
)

// FuzzParse: any input either fails as a whole or loads only persons whose
// every field passed the checks, and never panics.
func FuzzParse(f *testing.F) {
	f.Add(head + "SE,19121212-1212,Tolvan,Tolvansson,,Storgatan 12,11122,STOCKHOLM,false,false,+46701234567\n")
	f.Add(head + "NO,01010750160,Kari,Nordmann,\"c/o \"\"X\"\"\",Storgata 1,0150,OSLO,true,false,\n")
	f.Add(head + "SE,1\n\"broken")
	f.Fuzz(func(t *testing.T, in string) {
		snap, bad, err := Parse(strings.NewReader(in), testNow)
		if err != nil {
			return
		}
		for _, b := range bad {
			if b.Line < 2 {
				t.Fatalf("row error on line %d", b.Line)
			}
		}
		for _, p := range snap.byID {
			if canon, err := nordic.ParsePersonalNumber(p.Country, p.RegNo, testNow); err != nil || canon != p.RegNo {
				t.Fatalf("loaded an invalid number: %+v", p)
			}
			if _, err := nordic.ParsePostalCode(p.Country, p.Address.ZipCode); err != nil || p.Address.City == "" {
				t.Fatalf("loaded an invalid address: %+v", p)
			}
			for _, s := range []string{p.FirstName, p.LastName, p.Address.CoAddress, p.Address.StreetAddress, p.Address.City} {
				if msg := customer.CheckText(s); msg != "" {
					t.Fatalf("loaded a text the domain refuses (%s): %+v", msg, p)
				}
			}
		}
	})
}
