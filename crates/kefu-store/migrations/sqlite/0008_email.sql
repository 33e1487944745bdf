-- Email as a channel: every email kefu received or sent, keyed by a SHA-256 over the shop and
-- its Message-ID (ids often carry addresses, so they are not kept in a plain column), with
-- its threading headers and subject sealed; attachments with name and bytes sealed.

CREATE TABLE email_message (
    id               TEXT PRIMARY KEY,
    shop_id          TEXT NOT NULL REFERENCES shop(id),
    conversation_id  TEXT NOT NULL,
    customer_id      TEXT NOT NULL,
    message_id       TEXT,
    channel_id       TEXT NOT NULL,
    direction        TEXT NOT NULL,
    header_key_id    TEXT NOT NULL,
    header           BLOB NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX email_message_conversation ON email_message(shop_id, conversation_id, created_at);

-- Bytes are sealed as base64 text (the sealer works on text; 4/3 the size, bounded by the
-- attachment limit).
CREATE TABLE email_attachment (
    id             TEXT PRIMARY KEY,
    shop_id        TEXT NOT NULL REFERENCES shop(id),
    message_id     TEXT NOT NULL,
    position       BIGINT NOT NULL,
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    name_key_id    TEXT NOT NULL,
    name           BLOB NOT NULL,
    data_key_id    TEXT NOT NULL,
    data           BLOB NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX email_attachment_message ON email_attachment(shop_id, message_id, position);

-- The pruning sweep deletes delivered rows by age.
CREATE INDEX outbox_delivered_age ON outbox(state, updated_at);
