-- Tickets: indexed columns for lists and boards; the whole ticket (comments, history, SLA)
-- is a JSON document sealed at rest, like message content.
CREATE TABLE ticket (
    id           TEXT PRIMARY KEY,
    shop_id      TEXT NOT NULL REFERENCES shop(id),
    number       BIGINT NOT NULL,
    ticket_type  TEXT NOT NULL,
    state        TEXT NOT NULL,
    department   TEXT,
    assignee_id  TEXT,
    customer_id  TEXT,
    priority     TEXT NOT NULL,
    closed       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    doc_key_id   TEXT NOT NULL,
    doc          BLOB NOT NULL
);
CREATE UNIQUE INDEX ticket_number ON ticket(shop_id, number);
CREATE INDEX ticket_shop_open ON ticket(shop_id, closed, updated_at);
CREATE INDEX ticket_customer ON ticket(shop_id, customer_id, closed);
CREATE TABLE ticket_workflow (
    shop_id      TEXT NOT NULL REFERENCES shop(id),
    ticket_type  TEXT NOT NULL,
    doc          TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (shop_id, ticket_type)
);
CREATE TABLE department (
    id       TEXT PRIMARY KEY,
    shop_id  TEXT NOT NULL REFERENCES shop(id),
    key      TEXT NOT NULL,
    name     TEXT NOT NULL,
    members  TEXT NOT NULL,
    UNIQUE (shop_id, key)
);
CREATE TABLE shop_calendar (
    shop_id  TEXT PRIMARY KEY REFERENCES shop(id),
    doc      TEXT NOT NULL
);
