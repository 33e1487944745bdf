-- A person's own interface language (zh-CN or en); NULL follows the browser's.
ALTER TABLE app_user ADD COLUMN language TEXT;
