-- Ledger options of the operations resources: disbursement orders allowed,
-- the KYC questions (JSON as in DESIGN.md) and their renewal period.
ALTER TABLE ledgers ADD COLUMN disbursements INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledgers ADD COLUMN kyc_questions TEXT;
ALTER TABLE ledgers ADD COLUMN kyc_renewal_days INTEGER NOT NULL DEFAULT 0;

-- Surpluses fed by the ledger. surplus_key is the lower-cased surplusId:
-- ids are not case sensitive. balance is in minor units of currency.
-- active_order is the JSON of the active disbursement order, if any.
CREATE TABLE surpluses (
	id            INTEGER PRIMARY KEY,
	ledger_no     TEXT NOT NULL REFERENCES ledgers (no),
	customer_no   TEXT NOT NULL,
	surplus_id    TEXT NOT NULL,
	surplus_key   TEXT NOT NULL,
	balance_minor INTEGER NOT NULL,
	currency      TEXT NOT NULL,
	date          TEXT NOT NULL,
	status        TEXT NOT NULL,
	invoice       TEXT NOT NULL,
	account       TEXT NOT NULL,
	active_order  TEXT,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	UNIQUE (ledger_no, customer_no, surplus_key)
) STRICT;

CREATE INDEX surpluses_list ON surpluses (ledger_no, customer_no, status, date, id);

-- Every set of KYC answers a customer gave; the newest is the current one,
-- the others are its history.
CREATE TABLE kyc_answers (
	id          INTEGER PRIMARY KEY,
	ledger_no   TEXT NOT NULL REFERENCES ledgers (no),
	customer_no TEXT NOT NULL,
	answers     TEXT NOT NULL,
	answered_at INTEGER NOT NULL
) STRICT;

CREATE INDEX kyc_answers_customer ON kyc_answers (ledger_no, customer_no, answered_at);

-- Recurring-card registrations through the card gateway. At most one per
-- customer is still Initialized (the partial unique index). seq orders
-- them: several can start within one clock tick.
CREATE TABLE card_registrations (
	seq          INTEGER PRIMARY KEY,
	id           TEXT NOT NULL UNIQUE,
	ledger_no    TEXT NOT NULL REFERENCES ledgers (no),
	customer_no  TEXT NOT NULL,
	status       TEXT NOT NULL,
	redirect_url TEXT NOT NULL,
	complete_url TEXT NOT NULL,
	cancel_url   TEXT NOT NULL,
	language     TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX card_registrations_active ON card_registrations (ledger_no, customer_no) WHERE status = 'Initialized';
CREATE INDEX card_registrations_customer ON card_registrations (ledger_no, customer_no, created_at);

-- The active recurring-card consent of a customer: a token and a masked
-- number from the gateway, never the card number.
CREATE TABLE card_consents (
	ledger_no      TEXT NOT NULL REFERENCES ledgers (no),
	customer_no    TEXT NOT NULL,
	card_token     TEXT NOT NULL,
	masked_number  TEXT NOT NULL,
	card_expiry    TEXT NOT NULL,
	consent_expiry TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	PRIMARY KEY (ledger_no, customer_no)
) STRICT;
