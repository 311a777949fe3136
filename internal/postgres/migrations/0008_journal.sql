-- The change journal (DESIGN.md, "Change journal, audit trail and
-- webhooks"): one row per event, written in the transaction of its change.
-- A ledger numbers its events without gaps: journal_heads keeps the last
-- sequence each ledger gave, raised by each write under that row's lock (a
-- row of its own, so that the wide ledger row is not rewritten by every
-- write). object and previous are the state of what changed after and
-- the fields the change changed, as the domain encodes them (customer.EncodeSnapshot, EncodeChange). The sweep
-- walks a ledger's events from its oldest by sequence, so occurred_at
-- needs no index.
CREATE TABLE journal_heads (
	ledger_no     TEXT PRIMARY KEY REFERENCES ledgers (no),
	last_sequence BIGINT NOT NULL
);
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
