CREATE TABLE ledgers (
	no                TEXT PRIMARY KEY,
	country           TEXT NOT NULL,
	customer_numbers  TEXT NOT NULL,
	next_customer_seq INTEGER NOT NULL DEFAULT 1,
	created_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
	id          TEXT PRIMARY KEY,
	ledger_no   TEXT NOT NULL REFERENCES ledgers (no),
	scopes      TEXT NOT NULL,
	secret_hash BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER,
	revoked_at  INTEGER
) STRICT;

CREATE TABLE customers (
	id                 INTEGER PRIMARY KEY,
	ledger_no          TEXT NOT NULL REFERENCES ledgers (no),
	customer_no        TEXT NOT NULL,
	uuid               TEXT NOT NULL,
	reg_country        TEXT,
	reg_no             TEXT,
	vat_no             TEXT NOT NULL,
	legal_entity       TEXT NOT NULL,
	name               TEXT NOT NULL,
	name_key           TEXT NOT NULL,
	email              TEXT NOT NULL,
	protected_identity INTEGER NOT NULL,
	preferred_language TEXT NOT NULL,
	legal_status       TEXT NOT NULL,
	msisdn             TEXT NOT NULL,
	distribution_type  TEXT NOT NULL,
	tax_id             TEXT NOT NULL,
	edi_van            TEXT,
	edi_recipient      TEXT,
	edi_buyer_id       TEXT,
	active_consents    TEXT NOT NULL,
	legal_uuid         TEXT NOT NULL,
	legal_addressee    TEXT NOT NULL,
	legal_street       TEXT NOT NULL,
	legal_co           TEXT NOT NULL,
	legal_city         TEXT NOT NULL,
	legal_zip          TEXT NOT NULL,
	legal_country      TEXT NOT NULL,
	billing_uuid       TEXT,
	billing_addressee  TEXT,
	billing_street     TEXT,
	billing_co         TEXT,
	billing_city       TEXT,
	billing_zip        TEXT,
	billing_country    TEXT,
	version            INTEGER NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	UNIQUE (ledger_no, customer_no)
) STRICT;

CREATE UNIQUE INDEX customers_uuid ON customers (uuid);
CREATE INDEX customers_reg ON customers (ledger_no, reg_no, reg_country);
CREATE INDEX customers_newest ON customers (ledger_no, created_at, id);
CREATE INDEX customers_name ON customers (ledger_no, name_key);
CREATE INDEX customers_email ON customers (ledger_no, email);
CREATE INDEX customers_msisdn ON customers (ledger_no, msisdn);
CREATE INDEX customers_zip ON customers (ledger_no, legal_zip);

-- Every address uuid in use, legal or billing, of any customer: the
-- constraint keeps them unique across both address columns.
CREATE TABLE address_uuids (
	uuid TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
