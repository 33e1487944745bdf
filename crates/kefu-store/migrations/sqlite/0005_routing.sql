-- Routing: customer tags (rule conditions, the agent's context card) and identity merges
-- (a merged customer points at the customer its identities now write to).
ALTER TABLE customer ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE customer ADD COLUMN merged_into TEXT;

-- Keys that say two identities are one person: a platform union id, a verified phone or
-- email. Only a SHA-256 of the normalised value is kept: a match key, not the value.
CREATE TABLE customer_key (
    shop_id      TEXT NOT NULL REFERENCES shop(id),
    kind         TEXT NOT NULL,
    value_hash   TEXT NOT NULL,
    customer_id  TEXT NOT NULL REFERENCES customer(id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (shop_id, kind, value_hash)
);
CREATE INDEX customer_merged_into ON customer (shop_id, merged_into);
