-- The change journal (DESIGN.md, "Change journal, audit trail and
-- webhooks"): one row per event, written in the transaction of its change.
-- A ledger numbers its events without gaps: last_event_seq is the last
-- sequence it gave, taken and raised by each write under the ledger row's
-- lock. object and previous are the state of what changed after and
-- before, as the domain encodes it (customer.EncodeSnapshot).
ALTER TABLE ledgers ADD COLUMN last_event_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ledgers ADD COLUMN event_retention_days BIGINT NOT NULL DEFAULT 0;

CREATE TABLE events (
	ledger_no   TEXT NOT NULL REFERENCES ledgers (no),
	sequence    BIGINT NOT NULL,
	type        TEXT NOT NULL,
	occurred_at BIGINT NOT NULL,
	customer_no TEXT NOT NULL,
	actor_type  TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	request_id  TEXT NOT NULL,
	object      TEXT NOT NULL,
	previous    TEXT,
	PRIMARY KEY (ledger_no, sequence)
);
CREATE INDEX events_customer ON events (ledger_no, customer_no, sequence);
CREATE INDEX events_occurred ON events (occurred_at);
