package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestErrorClasses: the SQLSTATEs and transport errors that decide between
// a conflict (409), another try, a 503, and an internal error.
func TestErrorClasses(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code}) }
	tests := []struct {
		name                           string
		err                            error
		unique, retryable, unavailable bool
	}{
		{"unique violation", pg("23505"), true, false, false},
		{"foreign key violation", pg("23503"), false, false, false},
		{"serialization failure", pg("40001"), false, true, false},
		{"deadlock", pg("40P01"), false, true, false},
		{"admin shutdown", pg("57P01"), false, false, true},
		{"crash shutdown", pg("57P02"), false, false, true},
		{"cannot connect now", pg("57P03"), false, false, true},
		{"connection failure", pg("08006"), false, false, true},
		{"too many connections", pg("53300"), false, false, true},
		{"syntax error", pg("42601"), false, false, false},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, false, false, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), false, false, true},
		{"eof", io.ErrUnexpectedEOF, false, false, true},
		{"closed", fmt.Errorf("x: %w", pgconn.ErrConnClosed), false, false, true},
		{"bad conn", driver.ErrBadConn, false, false, true},
		{"deadline", context.DeadlineExceeded, false, false, true},
		{"other", errors.New("boom"), false, false, false},
		{"nil", nil, false, false, false},
	}
	for _, tt := range tests {
		if got := isUnique(tt.err); got != tt.unique {
			t.Errorf("%s: isUnique = %v", tt.name, got)
		}
		if got := isRetryable(tt.err); got != tt.retryable {
			t.Errorf("%s: isRetryable = %v", tt.name, got)
		}
		if got := isUnavailable(tt.err); got != tt.unavailable {
			t.Errorf("%s: isUnavailable = %v", tt.name, got)
		}
	}
}
