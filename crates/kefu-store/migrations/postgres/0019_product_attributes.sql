-- Product facts pushed with PUT /products (label → value JSON: material, suitable_for, care …);
-- the bot answers product questions from them. Not sealed: the shop's own catalogue.
ALTER TABLE product ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
