-- uuids from sequences (docs/api.md; internal/sqlstore/uuids.go): a
-- customer's uuid is a keyed permutation of its row id, an address's one
-- of the next number of the addresses' sequence, so that no index of
-- random uuids is written. The keys are drawn here, once per database.
CREATE TABLE uuid_keys (
	name TEXT PRIMARY KEY,
	key  BLOB NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO uuid_keys (name, key) VALUES ('customers', randomblob(16)), ('addresses', randomblob(16));

-- The next number of each sequence; a number is never given twice, also
-- after its customer is erased.
CREATE TABLE sequences (
	name TEXT PRIMARY KEY,
	next INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO sequences (name, next) SELECT 'customers', coalesce(max(id), 0) + 1 FROM customers;
INSERT INTO sequences (name, next) VALUES ('addresses', 1);

-- The customers' uuids drawn at random before: a lookup by one of them
-- finds its row here, and no new uuid is one of them. address_uuids keeps
-- the addresses' uuids drawn at random before, for the second purpose.
-- Neither table grows.
CREATE TABLE drawn_uuids (
	uuid TEXT PRIMARY KEY,
	id   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO drawn_uuids (uuid, id) SELECT uuid, id FROM customers;
DROP INDEX customers_uuid;
