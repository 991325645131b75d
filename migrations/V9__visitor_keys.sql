-- Visitors' keys, beside the log and never in it: their personal data in events is sealed
-- with them, and erasing a visitor sets `key` to NULL (crypto-shredding). One live key per
-- visitor; a visitor who comes back after an erasure gets a new one.
CREATE TABLE visitor_keys (
    key_id      uuid PRIMARY KEY,
    company_id  uuid NOT NULL,
    visitor_id  uuid NOT NULL,
    key         bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    erased_at   timestamptz,
    CHECK ((key IS NULL) = (erased_at IS NOT NULL))
);
CREATE UNIQUE INDEX visitor_keys_live ON visitor_keys (visitor_id) WHERE key IS NOT NULL;
CREATE INDEX visitor_keys_by_visitor ON visitor_keys (company_id, visitor_id);

-- What the transcripts show once a visitor is erased: who wrote each message and when, not
-- what.
ALTER TABLE messages ADD COLUMN erased boolean NOT NULL DEFAULT false;
ALTER TABLE conversations ADD COLUMN visitor_erased boolean NOT NULL DEFAULT false;
