-- Idempotency keys of POST requests: one row per ledger and key for 24 h.
-- A row is claimed (done false, lease and lease_until set) before the
-- request runs, and completed with the response in the same transaction as
-- the write it protects.
CREATE TABLE idempotency_keys (
	ledger_no   TEXT NOT NULL,
	idem_key    TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	lease       TEXT NOT NULL,
	lease_until BIGINT NOT NULL,
	done        BOOLEAN NOT NULL DEFAULT FALSE,
	status      BIGINT NOT NULL DEFAULT 0,
	header      TEXT NOT NULL DEFAULT '',
	body        BYTEA NOT NULL DEFAULT '\x',
	created_at  BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL,
	PRIMARY KEY (ledger_no, idem_key)
);

CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
