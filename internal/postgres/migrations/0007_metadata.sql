-- A customer's metadata: the ledger's own key/value pairs, as a JSON object
-- (keys sorted); NULL when it has none.
ALTER TABLE customers ADD COLUMN metadata TEXT;
