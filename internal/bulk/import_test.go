package bulk_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kund/kund/internal/bulk"
	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/keyring"
	"github.com/kund/kund/internal/sqlite"
)

// TestImportRefusesInvisibleCharacters: the import validates as the API
// does, so a row whose text holds a bidi override or a zero-width space is
// a bad row naming the field and the code point, in NDJSON and in CSV, and
// only the ordinary rows are written.
func TestImportRefusesInvisibleCharacters(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	keys, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.UseKeyring(ctx, keys); err != nil {
		t.Fatal(err)
	}
	svc := customer.NewService(store, nil)
	if err := svc.CreateLedger(ctx, &customer.Ledger{No: "L", Country: "SE"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format, file string
		want         map[int]string
	}{
		{bulk.NDJSON, strings.Join([]string{
			`{"customerNo":"1","name":"Åsa Öberg","legalAddress":{"addressee":"Åsa Öberg","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`,
			`{"customerNo":"2","name":"Åsa ` + "\u202E" + `grebÖ","legalAddress":{"addressee":"Åsa Öberg","city":"STOCKHOLM","zipCode":"11122","countryCode":"SE"}}`,
			`{"customerNo":"3","name":"Åsa Öberg","legalAddress":{"addressee":"Åsa Öberg","city":"STOCK\u200bHOLM","zipCode":"11122","countryCode":"SE"}}`,
		}, "\n") + "\n", map[int]string{
			2: "name: must not contain invisible or control characters (U+202E)",
			3: "legalAddress.city: must not contain invisible or control characters (U+200B)",
		}},
		{bulk.CSV, "customerNo,name,legalAddress.addressee,legalAddress.streetAddress,legalAddress.city,legalAddress.zipCode,legalAddress.countryCode\n" +
			"4,Bjørn Ærø,Bjørn Ærø,Östra Ågatan 5,UPPSALA,75322,SE\n" +
			"5,Bjørn Ærø,Bjørn Ærø,Östra Ågatan\u200b 5,UPPSALA,75322,SE\n", map[int]string{
			3: "legalAddress.streetAddress: must not contain invisible or control characters (U+200B)",
		}},
	} {
		got := map[int]string{}
		res, err := bulk.Import(ctx, svc, store, "L", strings.NewReader(c.file), bulk.Options{Format: c.format,
			Bad: func(line int, reason string) { got[line] = reason }})
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 1 || res.Bad != len(c.want) {
			t.Fatalf("%s: %+v, want 1 imported and %d bad", c.format, res, len(c.want))
		}
		for line, reason := range c.want {
			if got[line] != reason {
				t.Fatalf("%s line %d: got %q, want %q", c.format, line, got[line], reason)
			}
		}
	}
	var names []string
	err = store.EachCustomer(ctx, "L", func(c *customer.Customer) error {
		names = append(names, c.No+" "+c.Name+" "+c.LegalAddress.City)
		return nil
	})
	if got := strings.Join(names, ", "); err != nil || got != "1 Åsa Öberg STOCKHOLM, 4 Bjørn Ærø UPPSALA" {
		t.Fatalf("stored: %q %v", got, err)
	}
}

// TestCSVColumnsAreTheCreateBody: the CSV columns are the create request's
// properties, nested ones by their path, made from its wire type.
func TestCSVColumnsAreTheCreateBody(t *testing.T) {
	want := []string{
		"customerNo", "nationalIdentifier.regNo", "nationalIdentifier.countryCode", "vatNo", "legalEntity", "name",
		"emailAddress", "protectedIdentity", "preferredLanguageCode", "msisdn", "distributionType", "taxIdentificationNumber",
		"eDIAddressInfo.VAN", "eDIAddressInfo.InterChangeRecipient", "eDIAddressInfo.BuyerId", "metadata",
		"legalAddress.addressee", "legalAddress.streetAddress", "legalAddress.coAddress", "legalAddress.city",
		"legalAddress.zipCode", "legalAddress.countryCode",
		"billingAddress.addressee", "billingAddress.streetAddress", "billingAddress.coAddress", "billingAddress.city",
		"billingAddress.zipCode", "billingAddress.countryCode",
	}
	if !slices.Equal(bulk.CSVColumns, want) {
		t.Fatalf("CSV columns:\n got %v\nwant %v", bulk.CSVColumns, want)
	}
}
