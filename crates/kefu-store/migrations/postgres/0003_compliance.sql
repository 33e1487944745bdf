-- Compliance: customer names sealed like message content, the registry of sealing keys,
-- and the hash-chained audit log.
ALTER TABLE customer ADD COLUMN name_key_id TEXT NOT NULL DEFAULT 'plain';
ALTER TABLE customer ADD COLUMN name BYTEA NOT NULL DEFAULT ''::bytea;
UPDATE customer SET name = convert_to(display_name, 'UTF8');
ALTER TABLE customer DROP COLUMN display_name;

-- Every key that has sealed rows; a key is retired once a re-seal left no row under it.
CREATE TABLE seal_key (
    id          TEXT PRIMARY KEY,
    cipher      TEXT NOT NULL,
    first_used  BIGINT NOT NULL,
    retired_at  BIGINT
);
INSERT INTO seal_key (id, cipher, first_used)
    SELECT 'plain', 'plain', 0 WHERE EXISTS (SELECT 1 FROM customer) OR EXISTS (SELECT 1 FROM ticket);

-- Append-only; each entry's hash covers the previous entry's hash. UNIQUE(prev_hash) means
-- two writers can never fork the chain: the second append fails instead.
CREATE TABLE audit (
    pos        BIGSERIAL PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    shop_id    TEXT,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL UNIQUE,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_shop ON audit(shop_id, pos);
