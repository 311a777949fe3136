-- Idempotency keys of POST requests: one row per ledger and key for 24 h.
-- A row is claimed (done = 0, lease and lease_until set) before the request
-- runs, and completed with the response in the same transaction as the
-- write it protects.
CREATE TABLE idempotency_keys (
	ledger_no   TEXT NOT NULL,
	idem_key    TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	lease       TEXT NOT NULL,
	lease_until INTEGER NOT NULL,
	done        INTEGER NOT NULL DEFAULT 0,
	status      INTEGER NOT NULL DEFAULT 0,
	header      TEXT NOT NULL DEFAULT '',
	body        BLOB NOT NULL DEFAULT X'',
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	PRIMARY KEY (ledger_no, idem_key)
) STRICT;

CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
