-- Channels and integrations: orders and products pushed by the shop's platform, platform
-- channel instances, the route back to a customer, outgoing webhook subscriptions and the
-- outbox that delivers replies and webhooks.

-- Orders (订单). `order` is a reserved word, hence `shop_order`. The id is derived from
-- (shop, external_id), so an upsert never changes it.
CREATE TABLE shop_order (
    id                 TEXT PRIMARY KEY,
    shop_id            TEXT NOT NULL REFERENCES shop(id),
    customer_id        TEXT NOT NULL REFERENCES customer(id),
    external_id        TEXT NOT NULL,
    status             TEXT NOT NULL,
    amount_cents       BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    items              TEXT NOT NULL,
    logistics_company  TEXT,
    tracking_number    TEXT,
    created_at         BIGINT NOT NULL,
    paid_at            BIGINT,
    updated_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX shop_order_external ON shop_order(shop_id, external_id);
CREATE INDEX shop_order_customer ON shop_order(shop_id, customer_id, created_at);

-- Products (商品); stock per variant and images are JSON.
CREATE TABLE product (
    id           TEXT PRIMARY KEY,
    shop_id      TEXT NOT NULL REFERENCES shop(id),
    sku          TEXT NOT NULL,
    name         TEXT NOT NULL,
    price_cents  BIGINT NOT NULL,
    stock        TEXT NOT NULL,
    images       TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX product_sku ON product(shop_id, sku);

-- A shop's account on a platform: the webhook it posts to, the callback we post replies to.
-- The secret signs both ways, so it is kept (sealed), not hashed.
CREATE TABLE channel_instance (
    id             TEXT PRIMARY KEY,
    shop_id        TEXT NOT NULL REFERENCES shop(id),
    name           TEXT NOT NULL,
    platform       TEXT NOT NULL,
    callback_url   TEXT NOT NULL,
    secret_key_id  TEXT NOT NULL,
    secret         BLOB NOT NULL,
    created_at     BIGINT NOT NULL,
    disabled_at    BIGINT
);
CREATE INDEX channel_instance_shop ON channel_instance(shop_id);

-- Which platform channel a customer last wrote through, and their id there: replies go back
-- the same way.
CREATE TABLE channel_route (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id)
);

-- Outgoing webhook subscriptions (events is a space-separated list of names or patterns).
CREATE TABLE webhook_subscription (
    id             TEXT PRIMARY KEY,
    shop_id        TEXT NOT NULL REFERENCES shop(id),
    url            TEXT NOT NULL,
    events         TEXT NOT NULL,
    secret_key_id  TEXT NOT NULL,
    secret         BLOB NOT NULL,
    created_at     BIGINT NOT NULL,
    deleted_at     BIGINT
);
CREATE INDEX webhook_subscription_shop ON webhook_subscription(shop_id);

-- The outbox: rows are written in the same transaction as the message or event they deliver.
-- Within one order_key (a conversation, a subscription) rows are delivered in pos order.
CREATE TABLE outbox (
    pos              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    shop_id          TEXT NOT NULL,
    target           TEXT NOT NULL,
    target_id        TEXT,
    order_key        TEXT NOT NULL,
    event            TEXT NOT NULL,
    payload_key_id   TEXT NOT NULL,
    payload          BLOB NOT NULL,
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX outbox_pending ON outbox(state, order_key, pos);
CREATE INDEX outbox_shop_state ON outbox(shop_id, state, pos);
