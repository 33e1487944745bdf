-- Blind search index over sealed message text (issue 20). One row per distinct term of a
-- message: `term` is the first 8 bytes of HMAC-SHA256(search key, shop id, term) as a signed
-- integer, never the term. Rows are written in the message's own transaction; the key id the
-- rows were made with lives in `search_index`, and a different key empties and rebuilds them.
CREATE TABLE search_term (
    shop_id     TEXT NOT NULL,
    term        BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    message_id  TEXT NOT NULL,
    PRIMARY KEY (shop_id, term, created_at, message_id)
) WITHOUT ROWID;
CREATE TABLE search_index (
    id         INTEGER PRIMARY KEY,
    key_id     TEXT NOT NULL,
    cursor_at  BIGINT NOT NULL,
    cursor_id  TEXT NOT NULL
);
INSERT INTO search_index (id, key_id, cursor_at, cursor_id) VALUES (1, '', -1, '');
-- The rating filter of the history looks up a conversation's events.
CREATE INDEX event_conversation ON event(conversation_id, kind);
CREATE INDEX message_time ON message(created_at, id);
