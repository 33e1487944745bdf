-- Onboarding: shops made by setup, the CLI or a platform; invitations, password resets and the
-- first-run setup link (one-time tokens, only their SHA-256 stored); platform-operator tokens;
-- suspended shops; deactivated people and when they were last seen.
ALTER TABLE shop ADD COLUMN time_zone TEXT NOT NULL DEFAULT '+08:00';
ALTER TABLE shop ADD COLUMN language TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE shop ADD COLUMN suspended_at BIGINT;
ALTER TABLE app_user ADD COLUMN deactivated_at BIGINT;
ALTER TABLE app_user ADD COLUMN last_seen_at BIGINT;
-- Capacity, teams and languages live in the routing document only (docs/ARCHITECTURE.md,
-- "People"); the column stays for old binaries and means "use the default".
UPDATE app_user SET capacity = 0;
CREATE TABLE onboard_token (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    shop_id      TEXT,
    secret_hash  TEXT NOT NULL UNIQUE,
    email        TEXT NOT NULL,
    grant_doc    TEXT NOT NULL,
    created_by   TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    used_at      BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX onboard_token_shop ON onboard_token(shop_id, kind);
CREATE TABLE platform_token (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
