package operator

import (
	"context"
	"time"
)

// Session timeouts (DESIGN.md): a session ends after 30 minutes without a
// request, and 8 hours after sign-in whatever happens.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 8 * time.Hour
)

// Session is a signed-in operator's session as stored. The cookie holds
// its id; only the id's SHA-256 is kept, so the database does not sign
// anyone in.
type Session struct {
	IDHash     []byte
	OperatorID int64
	CSRF       string // the token every form of the session carries
	Lang       string // "sv" or "en"
	CreatedAt  time.Time
	SeenAt     time.Time
}

// Store keeps operators and their sessions; the store of every engine is
// one. Errors are the domain's (internal/customer): ENOTFOUND, ECONFLICT.
type Store interface {
	// CreateOperator stores a new operator and sets its ID; ECONFLICT
	// when the name is taken.
	CreateOperator(ctx context.Context, o *Operator) error
	// Operator returns an operator by name; ENOTFOUND.
	Operator(ctx context.Context, name string) (*Operator, error)
	// OperatorByID returns an operator by id; ENOTFOUND.
	OperatorByID(ctx context.Context, id int64) (*Operator, error)
	// Operators lists every operator by name.
	Operators(ctx context.Context) ([]*Operator, error)
	// UpdateOperator reads an operator, lets fn change it, and writes it
	// back in one transaction; ENOTFOUND. An error of fn is returned as
	// it is and writes nothing.
	UpdateOperator(ctx context.Context, name string, fn func(*Operator) error) (*Operator, error)

	// CreateOperatorSession stores a new session.
	CreateOperatorSession(ctx context.Context, s *Session) error
	// OperatorSession returns a session by the hash of its id; ENOTFOUND.
	OperatorSession(ctx context.Context, idHash []byte) (*Session, error)
	// UpdateOperatorSession writes a session's SeenAt and Lang.
	UpdateOperatorSession(ctx context.Context, s *Session) error
	// DeleteOperatorSession ends a session.
	DeleteOperatorSession(ctx context.Context, idHash []byte) error
	// DeleteOperatorSessions ends every session of an operator.
	DeleteOperatorSessions(ctx context.Context, operatorID int64) error
}
