-- Encryption at rest (DESIGN.md, "Privacy"; docs/privacy.md). A customer's
-- identity number, e-mail address, phone number and tax id are sealed
-- together in sealed (AES-256-GCM under Kund's key, the key version in
-- front); the clear columns reg_no, email, msisdn and tax_id stay empty.
-- Lookups go through blind indexes (HMAC-SHA256 under the index key).
-- sealed is NULL for a row written before this migration, until Kund
-- seals it (at the first start with the key; resumable). KYC answers,
-- disbursement orders and the journal's snapshots are sealed in their own
-- columns, as "~" and the base64 of the sealed bytes.
ALTER TABLE customers ADD COLUMN sealed TEXT;
ALTER TABLE customers ADD COLUMN reg_index TEXT;
ALTER TABLE customers ADD COLUMN email_index TEXT;
ALTER TABLE customers ADD COLUMN msisdn_index TEXT;
DROP INDEX customers_reg;
DROP INDEX customers_email;
DROP INDEX customers_msisdn;
CREATE INDEX customers_reg_index ON customers (ledger_no, reg_index, reg_country);
CREATE INDEX customers_email_index ON customers (ledger_no, email_index);
CREATE INDEX customers_msisdn_index ON customers (ledger_no, msisdn_index);

-- A database that holds rows already is sealed in place by Kund at its next
-- start (sqlstore.SealClear), which deletes this row when it is done; a new
-- database has nothing to seal, and every start then costs one query.
CREATE TABLE seal_pending (what TEXT PRIMARY KEY);
INSERT INTO seal_pending (what) SELECT 'clear values' WHERE EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM events)
	OR EXISTS (SELECT 1 FROM kyc_answers) OR EXISTS (SELECT 1 FROM surpluses);

-- The blind indexes are made with the index key of the key file; its
-- fingerprint (an HMAC of a fixed text under it) is kept so that a key file
-- with another index key is refused instead of every lookup finding nothing.
CREATE TABLE index_key (
	id          INTEGER PRIMARY KEY,
	fingerprint TEXT NOT NULL
);
