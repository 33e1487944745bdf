-- The bot's knowledge base, one whole document per version (edits, imports and rollbacks each
-- save a new version, so nothing is half-applied and any version can be restored). Not sealed:
-- it is the shop's own wording.
CREATE TABLE kb_version (
    shop_id     TEXT NOT NULL REFERENCES shop(id),
    version     BIGINT NOT NULL,
    doc         TEXT NOT NULL,
    author_id   TEXT,
    note        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, version)
);

-- What the bot remembers about a conversation (flow slots, suggestions, sentiment trend).
-- Sealed: slots hold what customers typed (order numbers, phone numbers, addresses).
CREATE TABLE bot_state (
    conversation_id  TEXT PRIMARY KEY,
    shop_id          TEXT NOT NULL REFERENCES shop(id),
    doc_key_id       TEXT NOT NULL,
    doc              BLOB NOT NULL,
    updated_at       BIGINT NOT NULL
);
