package customer

import (
	"reflect"
	"testing"
)

func TestForThirdParty(t *testing.T) {
	l := &Ledger{No: "L", Country: "SE", CustomerNumbers: NumbersClient}
	in := valid()
	in.Email, in.MSISDN, in.VATNo, in.TaxIdentificationNumber = "britt@axelstopp.se", "+46720000000", "SE101010101001", "19121212-1212"
	in.EDI = &EDIInput{VAN: "V", BuyerID: "B"}
	in.LegalAddress.StreetAddress, in.LegalAddress.CoAddress = "Hemlig väg 1", "c/o Doe"
	in.BillingAddress = &AddressInput{Addressee: "B-M A", StreetAddress: "Box 1", City: "SOLNA", ZipCode: "17000", CountryCode: "SE"}
	c, err := in.Validate(l, now)
	if err != nil {
		t.Fatal(err)
	}
	c.UUID, c.LegalAddress.UUID, c.BillingAddress.UUID = "CSRT0000000001", "ADRS0000000001", "ADRS0000000002"
	if ForThirdParty(c) != c {
		t.Fatal("an unprotected customer is shown as it is")
	}

	c.ProtectedIdentity = true
	before := c.Clone()
	w := ForThirdParty(c)
	if !reflect.DeepEqual(c, before) {
		t.Fatal("ForThirdParty changed the customer it was given")
	}
	want := before.Clone()
	want.NationalID, want.VATNo, want.TaxIdentificationNumber, want.Email, want.MSISDN, want.EDI = nil, "", "", "", "", nil
	want.LegalAddress = Address{UUID: "ADRS0000000001", CountryCode: "SE"}
	want.BillingAddress = &Address{UUID: "ADRS0000000002", CountryCode: "SE"}
	if !reflect.DeepEqual(w, want) {
		t.Fatalf("withheld:\n got %+v\nwant %+v", w, want)
	}
}
