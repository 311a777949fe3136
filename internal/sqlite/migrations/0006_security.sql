-- What an attack review found in the credentials and at rest (issue 14).

-- A token is of one credential kind: "token", the native API's bearer
-- tokens, or "payway", the access tokens of Tulo Payway's token endpoint,
-- valid only on the Payway routes. rate_limit is the token's own limit in
-- requests per second (0: the server's default). Expired tokens are swept.
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'token';
ALTER TABLE tokens ADD COLUMN rate_limit REAL NOT NULL DEFAULT 0;
CREATE INDEX tokens_expires ON tokens (expires_at) WHERE expires_at IS NOT NULL;

-- A ledger's limits for Worldline client sessions, which browsers hold:
-- the lookup units one session may spend and how long it lives (0: Kund's
-- defaults, internal/customer).
ALTER TABLE ledgers ADD COLUMN session_lookups INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledgers ADD COLUMN session_ttl_seconds INTEGER NOT NULL DEFAULT 0;

-- Client sessions are kept by a SHA-256 of their id, which is the browser's
-- credential; public_id names a session in the disclosure log. lookups are
-- the quota units the session spent, quota what it may spend. Sessions of
-- the former table had their ids in clear; they are dropped (they lived at
-- most two hours).
DROP TABLE worldline_sessions;
CREATE TABLE worldline_sessions (
	secret_hash BLOB PRIMARY KEY,
	public_id   TEXT NOT NULL UNIQUE,
	ledger_no   TEXT NOT NULL REFERENCES ledgers (no),
	customer_id TEXT NOT NULL UNIQUE,
	lookups     INTEGER NOT NULL DEFAULT 0,
	quota       INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX worldline_sessions_expires ON worldline_sessions (expires_at);

-- Worldline API secrets are sealed under Kund's key (internal/keyring);
-- secrets stored in clear before are sealed, and the clear column emptied,
-- when Kund next opens the database with its key.
ALTER TABLE worldline_keys ADD COLUMN secret_sealed BLOB;

-- Each v1HMAC signature is accepted once while its Date is within the
-- window: the scheme does not sign the body, so a second use could carry
-- another one. Kept by a hash until the window has passed.
CREATE TABLE worldline_signatures (
	signature_hash BLOB PRIMARY KEY,
	expires_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX worldline_signatures_expires ON worldline_signatures (expires_at);

-- Idempotency keys belong to the credential that claimed them, so another
-- credential of the ledger never gets a stored answer. A write completes
-- its key in its own transaction (done, and what it wrote: the customer and
-- its version); the API's answer, sealed under Kund's key, is stored after
-- the commit. Keys claimed before this version are forgotten: no request
-- after it could have matched them, since none named a credential.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
	ledger_no           TEXT NOT NULL,
	credential          TEXT NOT NULL,
	idem_key            TEXT NOT NULL,
	fingerprint         TEXT NOT NULL,
	lease               TEXT NOT NULL,
	lease_until         INTEGER NOT NULL,
	done                INTEGER NOT NULL DEFAULT 0,
	written_customer_no TEXT,
	written_version     INTEGER,
	answer              BLOB,
	created_at          INTEGER NOT NULL,
	expires_at          INTEGER NOT NULL,
	PRIMARY KEY (ledger_no, credential, idem_key)
) STRICT;
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- The disclosure log says where an answer came from: "register" (the
-- population register) or "customers" (the ledger's own customers, asked
-- through a dialect's lookup). Entries older than the retention are swept.
ALTER TABLE register_lookups ADD COLUMN source TEXT NOT NULL DEFAULT 'register';
CREATE INDEX register_lookups_at ON register_lookups (at);
