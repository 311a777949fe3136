-- The disclosure log of the population register: one row per lookup.
-- subject_hash is register.HashSubject of the identity number asked about;
-- the number itself is never stored here.
CREATE TABLE register_lookups (
	id           INTEGER PRIMARY KEY,
	ledger_no    TEXT NOT NULL REFERENCES ledgers (no),
	token_id     TEXT NOT NULL,
	subject_hash TEXT NOT NULL,
	purpose      TEXT NOT NULL,
	outcome      TEXT NOT NULL,
	at           INTEGER NOT NULL
) STRICT;

CREATE INDEX register_lookups_newest ON register_lookups (ledger_no, id);
CREATE INDEX register_lookups_subject ON register_lookups (ledger_no, subject_hash, id);
