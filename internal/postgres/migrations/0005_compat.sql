-- Credentials and state of the compatibility dialects, and the products
-- of a customer that Tulo Payway shows.

-- Tulo Payway API clients: only a hash of the secret is kept.
CREATE TABLE payway_clients (
	id          TEXT PRIMARY KEY,
	ledger_no   TEXT NOT NULL REFERENCES ledgers (no),
	scopes      TEXT NOT NULL,
	secret_hash BYTEA NOT NULL,
	created_at  BIGINT NOT NULL
);

-- Worldline Connect API keys. The secret is kept as issued: the server
-- must compute the same HMAC as the client to check a signature.
CREATE TABLE worldline_keys (
	id         TEXT PRIMARY KEY,
	ledger_no  TEXT NOT NULL REFERENCES ledgers (no),
	secret     TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

-- Worldline Connect client sessions.
CREATE TABLE worldline_sessions (
	id          TEXT PRIMARY KEY,
	ledger_no   TEXT NOT NULL REFERENCES ledgers (no),
	customer_id TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL
);

CREATE UNIQUE INDEX worldline_sessions_customer ON worldline_sessions (customer_id);

-- The products (subscriptions) of a customer, in the order they were put.
CREATE TABLE customer_products (
	ledger_no    TEXT NOT NULL,
	customer_no  TEXT NOT NULL,
	position     BIGINT NOT NULL,
	product_code TEXT NOT NULL,
	valid_to     BIGINT NOT NULL,
	PRIMARY KEY (ledger_no, customer_no, position),
	FOREIGN KEY (ledger_no, customer_no) REFERENCES customers (ledger_no, customer_no)
);

-- The Worldline payment products with customer lookup that a ledger has
-- configured, each with its countries (space-separated). A ledger with
-- none has the default product (internal/compat/worldline).
CREATE TABLE worldline_products (
	ledger_no  TEXT NOT NULL REFERENCES ledgers (no),
	product_id BIGINT NOT NULL,
	countries  TEXT NOT NULL,
	PRIMARY KEY (ledger_no, product_id)
);
