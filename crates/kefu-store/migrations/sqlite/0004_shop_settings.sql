-- Small per-shop settings documents (JSON), e.g. the shop's own sensitive words.
CREATE TABLE shop_setting (
    shop_id     TEXT NOT NULL REFERENCES shop(id),
    key         TEXT NOT NULL,
    doc         TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, key)
);
