-- Erasure (DESIGN.md, "Privacy"; docs/privacy.md). An erased customer leaves
-- customers for good; what bookkeeping keeps of them is this row: the
-- number (never given again), the legal entity, when they were created and
-- erased, and why. The reason is the operator's and must not name the person.
CREATE TABLE erased_customers (
	ledger_no    TEXT NOT NULL REFERENCES ledgers (no),
	customer_no  TEXT NOT NULL,
	legal_entity TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	erased_at    BIGINT NOT NULL,
	reason       TEXT NOT NULL,
	PRIMARY KEY (ledger_no, customer_no)
);

-- An erasure clears the receivers' answers to the deliveries of the
-- customer's events, found by the events' sequences.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (ledger_no, sequence);
