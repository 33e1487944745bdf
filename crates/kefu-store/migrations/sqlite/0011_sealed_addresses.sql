-- Customer addresses sealed at rest (issue 17). An email identity's `external_id` becomes a
-- hash of the normalised address (the lookup key) and the address itself is sealed beside
-- it; other channels' ids are opaque or already hashes and have nothing sealed (NULL). The
-- route replies take keeps its recipient (an email address for email customers) sealed.
-- Rows written before this migration are re-keyed and sealed by the store at start.
ALTER TABLE identity ADD COLUMN address_key_id TEXT;
ALTER TABLE identity ADD COLUMN address BLOB;

ALTER TABLE channel_route ADD COLUMN recipient_key_id TEXT NOT NULL DEFAULT 'plain';
ALTER TABLE channel_route ADD COLUMN recipient BLOB NOT NULL DEFAULT x'';
UPDATE channel_route SET recipient = CAST(external_id AS BLOB);
ALTER TABLE channel_route DROP COLUMN external_id;
