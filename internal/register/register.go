// Package register reaches the national population registers (SPAR, the
// Folkeregister, CPR, DVV) through one Provider interface. Kund cannot reach
// the real registers, so the providers are a CSV file an operator maintains
// and an HTTP contract behind which an operator puts an adapter of their
// own. The domain only ever sees Provider.
package register

import (
	"context"
	"errors"
	"fmt"
)

// Address is a person's registered (legal) address. CountryCode is the
// country of the address, which for a protected person's forwarding address
// is still the register's country.
type Address struct {
	CoAddress     string
	StreetAddress string
	ZipCode       string
	City          string
	CountryCode   string
}

// Person is what a register knows about one person.
type Person struct {
	Country   string // SE, NO, DK or FI: the register that answered
	RegNo     string // canonical personal identity number (internal/nordic)
	FirstName string
	LastName  string
	// Address is the legal address. For a person under protected identity
	// it is the address the register gives out for them (a forwarding
	// address), never where they live.
	Address           Address
	ProtectedIdentity bool
	Deceased          bool
	Phone             string // E.164, empty when the register has none
}

// Name is the full name as an addressee line: first names, then last name.
func (p *Person) Name() string {
	switch {
	case p.FirstName == "":
		return p.LastName
	case p.LastName == "":
		return p.FirstName
	}
	return p.FirstName + " " + p.LastName
}

// Provider looks persons up in a population register.
//
// Lookup takes the country (SE, NO, DK or FI) and the canonical personal
// identity number (as internal/nordic.ParsePersonalNumber returns it);
// callers normalise first. LookupPhone takes an E.164 number.
//
// Both answer ErrNotFound when the register has no such person, ErrAmbiguous
// when a phone number belongs to several persons, and an error wrapping
// ErrUnavailable when the register cannot be asked right now (down, slow,
// circuit open). Callers must treat any other error like ErrUnavailable.
type Provider interface {
	Lookup(ctx context.Context, country, regNo string) (*Person, error)
	LookupPhone(ctx context.Context, phone string) (*Person, error)
}

// Errors a Provider answers.
var (
	ErrNotFound    = errors.New("register: person not found")
	ErrAmbiguous   = errors.New("register: several persons have this phone number")
	ErrUnavailable = errors.New("register: unavailable")
)

// unavailable wraps a cause as ErrUnavailable, keeping both for errors.Is.
func unavailable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnavailable, fmt.Sprintf(format, args...))
}

// None is the Provider of a Kund started without a register: every lookup
// is ErrUnavailable, so the register operations answer 503 rather than
// pretending a person does not exist.
type None struct{}

// Lookup always fails with ErrUnavailable.
func (None) Lookup(context.Context, string, string) (*Person, error) {
	return nil, unavailable("no population register is configured")
}

// LookupPhone always fails with ErrUnavailable.
func (None) LookupPhone(context.Context, string) (*Person, error) {
	return nil, unavailable("no population register is configured")
}
