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

-- Questions the bot could not answer (or only guessed at), for supervisors to teach it:
-- one row per distinct normalised question, counted. Sealed: it is what customers typed.
CREATE TABLE bot_question (
    shop_id          TEXT NOT NULL REFERENCES shop(id),
    key              TEXT NOT NULL,
    text_key_id      TEXT NOT NULL,
    text             BLOB NOT NULL,
    kind             TEXT NOT NULL,
    count            BIGINT NOT NULL,
    conversation_id  TEXT NOT NULL,
    status           TEXT NOT NULL,
    first_at         BIGINT NOT NULL,
    last_at          BIGINT NOT NULL,
    PRIMARY KEY (shop_id, key)
);
CREATE INDEX bot_question_open ON bot_question(shop_id, status, count);
