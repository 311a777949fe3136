-- The back-office console's operators and their sessions (issue 20;
-- docs/console.md). ledgers is a JSON array of the ledger numbers an
-- operator sees; password_hash is argon2id in the PHC string format.
-- A session is kept by the SHA-256 of its id (the cookie's value), so the
-- table signs no one in; sessions past their idle or absolute timeout are
-- swept.
CREATE TABLE operators (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL,
	ledgers       TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE operator_sessions (
	id_hash     BLOB PRIMARY KEY,
	operator_id INTEGER NOT NULL REFERENCES operators (id),
	csrf        TEXT NOT NULL,
	lang        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	seen_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);
CREATE INDEX operator_sessions_seen ON operator_sessions (seen_at);
CREATE INDEX operator_sessions_created ON operator_sessions (created_at);
