-- Rollup keys INCLUDE the value: range reads are index-only scans.
-- Analytics: rollup counters folded from the event log (per shop × bucket × dimension),
-- a small state row per conversation for what events do not carry, level-3 tag drill-down,
-- the consumer's cursor and the alert projection. Everything here is derived: `kefu
-- analytics rebuild` empties it and folds the log again.
CREATE TABLE analytics_hour (
    shop_id  TEXT NOT NULL,
    dim      TEXT NOT NULL,
    bucket   BIGINT NOT NULL,
    key      TEXT NOT NULL,
    metric   TEXT NOT NULL,
    value    BIGINT NOT NULL,
    PRIMARY KEY (shop_id, dim, bucket, key, metric) INCLUDE (value)
);
-- Whole UTC days, summed from the hourly deltas: long periods read these, and hours only at
-- their edges.
CREATE TABLE analytics_day (
    shop_id  TEXT NOT NULL,
    dim      TEXT NOT NULL,
    bucket   BIGINT NOT NULL,
    key      TEXT NOT NULL,
    metric   TEXT NOT NULL,
    value    BIGINT NOT NULL,
    PRIMARY KEY (shop_id, dim, bucket, key, metric) INCLUDE (value)
);
-- Minute counters for alert windows (a few dimensions and metrics only).
CREATE TABLE analytics_minute (
    shop_id  TEXT NOT NULL,
    dim      TEXT NOT NULL,
    bucket   BIGINT NOT NULL,
    key      TEXT NOT NULL,
    metric   TEXT NOT NULL,
    value    BIGINT NOT NULL,
    PRIMARY KEY (shop_id, dim, bucket, key, metric) INCLUDE (value)
);
CREATE TABLE analytics_conv (
    conversation_id  TEXT PRIMARY KEY,
    shop_id          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    source           TEXT NOT NULL,
    l1               TEXT,
    l2               TEXT,
    doc              TEXT NOT NULL
);
CREATE INDEX analytics_conv_category ON analytics_conv(shop_id, l1, l2, created_at);
CREATE TABLE analytics_tag (
    shop_id          TEXT NOT NULL,
    tag              TEXT NOT NULL,
    conversation_id  TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (shop_id, tag, conversation_id)
);
CREATE INDEX analytics_tag_time ON analytics_tag(shop_id, tag, created_at);
CREATE TABLE analytics_cursor (
    id   INTEGER PRIMARY KEY,
    pos  BIGINT NOT NULL
);
INSERT INTO analytics_cursor (id, pos) VALUES (1, 0);
CREATE TABLE analytics_alert (
    shop_id      TEXT NOT NULL,
    rule         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    raised_at    BIGINT NOT NULL,
    resolved_at  BIGINT,
    value        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (shop_id, rule, subject)
);
