-- Register monitoring (DESIGN.md, "Register monitoring"; docs/register.md).
-- Where a customer's legal address came from ('population-register' or
-- 'customer') and when the population register last confirmed it (NULL:
-- never). Nothing recorded which of the customers before this migration
-- came from the register, so they count as the customer's own until the
-- register confirms their address.
ALTER TABLE customers ADD COLUMN legal_source TEXT NOT NULL DEFAULT 'customer';
ALTER TABLE customers ADD COLUMN legal_confirmed_at BIGINT;
-- A ledger opts in to having its customers kept in step with the register.
ALTER TABLE ledgers ADD COLUMN register_monitoring BOOLEAN NOT NULL DEFAULT FALSE;
-- How far a register's change feed, or a refresh of a ledger, has got, so
-- that a restart resumes there. A cursor is the register's own opaque text.
CREATE TABLE register_cursors (
	name       TEXT PRIMARY KEY,
	cursor     TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);
