-- Webhooks (DESIGN.md, "Change journal, audit trail and webhooks";
-- docs/events.md). A webhook follows its ledger's journal: last_sequence is the
-- last sequence for which its deliveries were made, and advances in the
-- transaction that makes them, so an event is given to a webhook once.
-- A delivery is due when pending, its next attempt has come, and no
-- deliverer holds its claim (claimed_until); a claim that a crash left
-- behind runs out, so a delivery is sent at least once. secret is sealed
-- under Kund's key.
CREATE TABLE webhooks (
	id          INTEGER PRIMARY KEY,
	ledger_no   TEXT NOT NULL REFERENCES ledgers (no),
	url         TEXT NOT NULL,
	events      TEXT NOT NULL,
	description TEXT NOT NULL,
	secret      BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	last_sequence INTEGER NOT NULL
) STRICT;
CREATE INDEX webhooks_ledger ON webhooks (ledger_no, id);

CREATE TABLE webhook_deliveries (
	id              INTEGER PRIMARY KEY,
	webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
	ledger_no       TEXT NOT NULL,
	sequence        INTEGER NOT NULL,
	event_type      TEXT NOT NULL,
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	deadline        INTEGER NOT NULL,
	claimed_until   INTEGER NOT NULL DEFAULT 0,
	last_attempt_at INTEGER NOT NULL DEFAULT 0,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	last_response   TEXT NOT NULL DEFAULT '',
	delivered_at    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (ledger_no, created_at);
