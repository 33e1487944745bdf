-- Kept versions of a shop's settings documents (the routing document, the shop page): one
-- whole document per save with who and when, append-only; the primary key makes two editors
-- racing on one base version fail instead of overwriting. Not sealed: the shop's own settings.
CREATE TABLE setting_version (
    shop_id     TEXT NOT NULL REFERENCES shop(id),
    key         TEXT NOT NULL,
    version     BIGINT NOT NULL,
    doc         TEXT NOT NULL,
    author_id   TEXT,
    note        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, key, version)
);

-- What a web visitor answered in the shop's pre-chat form (phone, email, order number; the
-- name goes to customer.name), one JSON document per customer. Sealed: it is personal data.
CREATE TABLE customer_prechat (
    customer_id  TEXT PRIMARY KEY,
    shop_id      TEXT NOT NULL REFERENCES shop(id),
    doc_key_id   TEXT NOT NULL,
    doc          BLOB NOT NULL,
    updated_at   BIGINT NOT NULL
);
