package customer

// Scope is a permission a token carries.
type Scope string

// Scopes of DESIGN.md.
const (
	ScopeRead          Scope = "customers:read"
	ScopeWrite         Scope = "customers:write"
	ScopeRegister      Scope = "register"
	ScopeKYC           Scope = "kyc:write"
	ScopeSurpluses     Scope = "surpluses:write"
	ScopeDisbursements Scope = "disbursements:write"
	ScopeConsents      Scope = "consents:write"
	ScopeEvents        Scope = "events:read"
	ScopeWebhooks      Scope = "webhooks:write"
	ScopeErase         Scope = "customers:erase"
	ScopeAll           Scope = "*"
)

// Scopes lists every scope a token can be given.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeRegister, ScopeKYC, ScopeSurpluses, ScopeDisbursements, ScopeConsents, ScopeEvents, ScopeWebhooks, ScopeErase, ScopeAll}

// ParseScope checks that s is a known scope.
func ParseScope(s string) (Scope, bool) {
	for _, sc := range Scopes {
		if string(sc) == s {
			return sc, true
		}
	}
	return "", false
}

// Caller is who makes a request: the id of its credential (a token's id,
// or for the dialects' credentials a name such as "worldline-key:ID" that
// is never part of a secret), the kind of credential, the one ledger it is
// bound to, and what it may do.
type Caller struct {
	TokenID  string
	Kind     string
	LedgerNo string
	Scopes   []Scope
	// Rate is the credential's own limit in requests per second; 0: the
	// server's default.
	Rate float64
}

// Can reports whether the caller holds scope (or "*"). customers:write
// includes customers:read: a writer sees what it writes anyway.
func (c Caller) Can(scope Scope) bool {
	for _, s := range c.Scopes {
		if s == scope || s == ScopeAll || (scope == ScopeRead && s == ScopeWrite) {
			return true
		}
	}
	return false
}
