-- The language and time zone each user chose (NULL: not chosen), and each company's
-- defaults for its users.
ALTER TABLE users ADD COLUMN language text, ADD COLUMN time_zone text;
ALTER TABLE companies ADD COLUMN language text, ADD COLUMN time_zone text;
