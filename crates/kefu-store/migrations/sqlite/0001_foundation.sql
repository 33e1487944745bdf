-- Foundation: shops, people, customers, conversations, messages, the event log, credentials.
-- Ids are UUIDv7 text; times are unix milliseconds.
CREATE TABLE shop (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    widget_key  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
CREATE TABLE app_user (
    id            TEXT PRIMARY KEY,
    shop_id       TEXT NOT NULL REFERENCES shop(id),
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    capacity      BIGINT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX app_user_shop ON app_user(shop_id);
CREATE TABLE team (
    id          TEXT PRIMARY KEY,
    shop_id     TEXT NOT NULL REFERENCES shop(id),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE customer (
    id            TEXT PRIMARY KEY,
    shop_id       TEXT NOT NULL REFERENCES shop(id),
    display_name  TEXT NOT NULL,
    last_seq      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE INDEX customer_shop ON customer(shop_id);
CREATE TABLE identity (
    shop_id      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    customer_id  TEXT NOT NULL REFERENCES customer(id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (shop_id, channel, external_id)
);
CREATE INDEX identity_customer ON identity(shop_id, customer_id);
CREATE TABLE conversation (
    id               TEXT PRIMARY KEY,
    shop_id          TEXT NOT NULL REFERENCES shop(id),
    customer_id      TEXT NOT NULL REFERENCES customer(id),
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,
    source           TEXT NOT NULL,
    team_id          TEXT,
    agent_id         TEXT,
    priority         BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    handed_off_at    BIGINT,
    resolved_at      BIGINT,
    last_message_at  BIGINT,
    last_message_id  TEXT
);
CREATE INDEX conversation_shop_status ON conversation(shop_id, status, updated_at);
CREATE INDEX conversation_customer ON conversation(shop_id, customer_id, status);
CREATE TABLE message (
    id               TEXT PRIMARY KEY,
    shop_id          TEXT NOT NULL,
    conversation_id  TEXT NOT NULL REFERENCES conversation(id),
    customer_id      TEXT NOT NULL,
    seq              BIGINT NOT NULL,
    direction        TEXT NOT NULL,
    sender_kind      TEXT NOT NULL,
    sender_id        TEXT,
    channel          TEXT NOT NULL,
    content_key_id   TEXT NOT NULL,
    content          BLOB NOT NULL,
    client_id        TEXT,
    dedupe_key       TEXT,
    created_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX message_dedupe ON message(shop_id, dedupe_key);
CREATE UNIQUE INDEX message_customer_seq ON message(shop_id, customer_id, seq);
CREATE INDEX message_conversation ON message(conversation_id, seq);
CREATE TABLE event (
    pos              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    shop_id          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    conversation_id  TEXT,
    customer_id      TEXT,
    payload          TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX event_shop ON event(shop_id, pos);
CREATE TABLE session (
    id           TEXT PRIMARY KEY,
    shop_id      TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES app_user(id),
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE TABLE api_token (
    id           TEXT PRIMARY KEY,
    shop_id      TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES app_user(id),
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX api_token_shop ON api_token(shop_id);
