-- The visitor's rating of a chat, on its conversation: the latest one counts.
ALTER TABLE conversations ADD COLUMN rating text CHECK (rating IN ('good', 'bad'));
ALTER TABLE conversations ADD COLUMN rating_comment text NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN rated_at timestamptz;
CREATE INDEX conversations_rating ON conversations (company_id, rating);

-- Copies of chats the visitors asked for: the transcript mailer's outbox (process manager
-- `transcript-outbox`, never rebuilt: a replay finds every row already here and mails
-- nothing twice). One row per request; `user_id` is the nil user (the visitor is no user).
CREATE TABLE transcript_mails (
    request_id       uuid PRIMARY KEY,
    conversation_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    company_id       uuid NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'superseded')),
    attempts         integer NOT NULL DEFAULT 0,
    lease_until      timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz
);
CREATE INDEX transcript_mails_pending ON transcript_mails (created_at) WHERE status = 'pending';
