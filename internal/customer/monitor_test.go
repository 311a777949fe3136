package customer

import (
	"testing"
	"time"
)

func TestFollowRegister(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	id := NationalID{RegNo: "19811218-9876", CountryCode: "SE"}
	home := Address{UUID: "ADRS0000000001", Addressee: "Britt-Marie Axelstopp", StreetAddress: "The street 18", City: "STOCKHOLM", ZipCode: "15961", CountryCode: "SE"}
	moved := home
	moved.StreetAddress, moved.City, moved.ZipCode = "Vasagatan 3", "GÖTEBORG", "41101"
	box := home
	box.StreetAddress = "Box 1"
	base := func(source string, a Address) *Customer {
		return &Customer{NationalID: &id, LegalEntity: Consumer, Name: "Britt-Marie Axelstopp", LegalStatus: StatusActive,
			LegalAddress: a, LegalSource: source}
	}
	for _, tt := range []struct {
		name     string
		c        *Customer
		e        RegisterEntry
		to       Address
		confirm  bool
		skipped  string
		protect  bool
		deceased bool
		source   string
	}{
		{name: "moved", c: base(SourceRegister, home), to: moved, source: SourceRegister},
		{name: "set by hand", c: base(SourceCustomer, home), to: moved, skipped: SkipSetByCustomer, source: SourceCustomer},
		{name: "abroad", c: base(SourceCustomer, Address{Addressee: "B", City: "OSLO", ZipCode: "0150", CountryCode: "NO"}), to: moved,
			skipped: SkipOtherCountry, source: SourceCustomer},
		{name: "business", c: func() *Customer { c := base(SourceRegister, home); c.LegalEntity = Business; return c }(), to: moved,
			e: RegisterEntry{Deceased: true}, skipped: SkipBusiness, source: SourceRegister},
		{name: "dies, address set by hand", c: base(SourceCustomer, home), to: moved, e: RegisterEntry{Deceased: true},
			skipped: SkipSetByCustomer, deceased: true, source: SourceCustomer},
		{name: "protected, address set by hand", c: base(SourceCustomer, home), to: box, e: RegisterEntry{ProtectedIdentity: true},
			protect: true, source: SourceRegister},
		{name: "protection lifted", c: func() *Customer { c := base(SourceRegister, box); c.ProtectedIdentity = true; return c }(), to: home,
			skipped: SkipProtectionLift, protect: true, source: SourceRegister},
		{name: "refresh adopts an equal address", c: base(SourceCustomer, home), to: home, confirm: true, source: SourceRegister},
		{name: "refresh keeps a different one", c: base(SourceCustomer, home), to: moved, confirm: true, skipped: SkipSetByCustomer, source: SourceCustomer},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c.Clone()
			addr := tt.to
			addr.Addressee = "Britt-Marie Axelstopp"
			skipped := follow(c, id, &tt.e, "Britt-Marie Axelstopp", addr, now, tt.confirm)
			if skipped != tt.skipped || c.ProtectedIdentity != tt.protect || (c.LegalStatus == StatusDeceased) != tt.deceased || c.LegalSource != tt.source {
				t.Fatalf("skipped %q protected %t status %s source %s", skipped, c.ProtectedIdentity, c.LegalStatus, c.LegalSource)
			}
			wantAddr := tt.c.LegalAddress
			if tt.source == SourceRegister && tt.c.LegalEntity == Consumer {
				wantAddr = addr
				wantAddr.UUID = tt.c.LegalAddress.UUID
				if !c.LegalConfirmedAt.Equal(now) {
					t.Fatalf("the register's address is not confirmed: %v", c.LegalConfirmedAt)
				}
			}
			if c.LegalAddress != wantAddr {
				t.Fatalf("address %+v, want %+v", c.LegalAddress, wantAddr)
			}
		})
	}
}
