-- Routing: customer tags (rule conditions, the agent's context card) and identity merges
-- (a merged customer points at the customer its identities now write to).
ALTER TABLE customer ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE customer ADD COLUMN merged_into TEXT;
