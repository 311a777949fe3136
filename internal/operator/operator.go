// Package operator is the people who sign in to the back-office console
// (DESIGN.md, "Back-office console"; docs/console.md): their accounts,
// roles and ledgers, password hashing, and the sessions they sign in
// with. The console (internal/console) serves them; the stores keep them.
package operator

import (
	"slices"
	"time"
)

// Role is what an operator may do.
type Role string

// Roles of DESIGN.md.
const (
	// Viewer reads; protected identities are masked.
	Viewer Role = "viewer"
	// Agent is Viewer, and edits contact data and addresses and updates
	// the legal address from the register.
	Agent Role = "agent"
	// Admin may do everything: protected identities shown, export,
	// erase.
	Admin Role = "admin"
)

// Roles lists every role.
var Roles = []Role{Viewer, Agent, Admin}

// ParseRole checks that s names a role.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(Roles, r)
}

// Operator is one person who signs in to the console.
type Operator struct {
	ID           int64
	Name         string   // what they sign in with; unique
	Role         Role     // what they may do
	Ledgers      []string // the ledgers they see; no other ledger's customer is ever shown
	PasswordHash string   // argon2id, in the PHC string format
	Disabled     bool     // may not sign in; its sessions end
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Sees reports whether the operator may see the customers of a ledger.
func (o *Operator) Sees(ledgerNo string) bool { return slices.Contains(o.Ledgers, ledgerNo) }

// MayEdit reports whether the operator may change customers (contact
// data, addresses, the legal address from the register).
func (o *Operator) MayEdit() bool { return o.Role == Agent || o.Role == Admin }

// SeesProtected reports whether the operator is shown a protected
// identity's number and addresses (every view is in the disclosure log).
func (o *Operator) SeesProtected() bool { return o.Role == Admin }

// MayExport reports whether the operator may download a customer's access
// export.
func (o *Operator) MayExport() bool { return o.Role == Admin }

// MayErase reports whether the operator may erase a customer.
func (o *Operator) MayErase() bool { return o.Role == Admin }
