package customer

import "time"

// Customer-number policies of a ledger.
const (
	NumbersClient    = "client"
	NumbersGenerated = "generated"
)

// Ledger is one PayEx ledger: a tenant of Kund. Every customer belongs to
// exactly one ledger and is reachable only with that ledger's tokens.
type Ledger struct {
	No              string
	Country         string // SE, NO, DK or FI
	CustomerNumbers string // NumbersClient or NumbersGenerated
	CreatedAt       time.Time
	Disbursements   bool          // disbursement orders may be added to surpluses
	KYCQuestions    []KYCQuestion // none: the ledger has no KYC
	KYCRenewalDays  int           // answers older than this are due again; 0: never
	// SessionLookups and SessionTTL limit the Worldline client sessions
	// of the ledger, which visitors' browsers hold: the lookup units one
	// session may spend (a hit costs 1, a miss LookupMissCost) and how long
	// it lives. Zero: DefaultSessionLookups, DefaultSessionTTL.
	SessionLookups int
	SessionTTL     time.Duration
	// EventRetentionDays is how long the ledger's journal keeps an event;
	// 0: DefaultEventRetention.
	EventRetentionDays int
	// RegisterMonitoring: the ledger's customers are kept in step with the
	// population register's change feed (docs/register.md).
	RegisterMonitoring bool
}

// Defaults of a ledger's client sessions. A checkout looks up one person,
// perhaps after a typo or two; a session that spent its units has to be
// replaced by the merchant's server.
const (
	DefaultSessionLookups = 10
	DefaultSessionTTL     = 20 * time.Minute
	// LookupMissCost is what a lookup that finds nobody costs in the
	// lookup limits: enumerating numbers is mostly misses.
	LookupMissCost = 3
)

// SessionQuota is the lookup units one client session of l may spend.
func (l *Ledger) SessionQuota() int {
	if l.SessionLookups > 0 {
		return l.SessionLookups
	}
	return DefaultSessionLookups
}

// SessionLifetime is how long a client session of l lives.
func (l *Ledger) SessionLifetime() time.Duration {
	if l.SessionTTL > 0 {
		return l.SessionTTL
	}
	return DefaultSessionTTL
}
