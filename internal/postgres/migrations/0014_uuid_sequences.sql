-- uuids from sequences (docs/api.md; internal/sqlstore/uuids.go): a
-- customer's uuid is a keyed permutation of its row id (from the identity
-- column's sequence), an address's one of the next number of
-- address_uuid_seq, so that no index of random uuids is written. The keys
-- are drawn here, once per database (gen_random_uuid: 122 random bits).
CREATE TABLE uuid_keys (
	name TEXT PRIMARY KEY,
	key  BYTEA NOT NULL
);
INSERT INTO uuid_keys (name, key) VALUES
	('customers', decode(replace(gen_random_uuid()::text, '-', ''), 'hex')),
	('addresses', decode(replace(gen_random_uuid()::text, '-', ''), 'hex'));

CREATE SEQUENCE address_uuid_seq;

-- The customers' uuids drawn at random before: a lookup by one of them
-- finds its row here, and no new uuid is one of them. address_uuids keeps
-- the addresses' uuids drawn at random before, for the second purpose.
-- Neither table grows.
CREATE TABLE drawn_uuids (
	uuid TEXT PRIMARY KEY,
	id   BIGINT NOT NULL
);
INSERT INTO drawn_uuids (uuid, id) SELECT uuid, id FROM customers;
DROP INDEX customers_uuid;
