-- Quick phrases (快捷短语): canned replies, shop-wide (owner_user_id NULL) or one agent's own.
-- Not sealed: they are the shop's own wording, never customer data.
CREATE TABLE quick_phrase (
    id             TEXT PRIMARY KEY,
    shop_id        TEXT NOT NULL REFERENCES shop(id),
    owner_user_id  TEXT REFERENCES app_user(id),
    title          TEXT NOT NULL,
    text           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX quick_phrase_shop ON quick_phrase(shop_id, owner_user_id);
