-- Offline messages reach someone: the mailer's outboxes (process manager
-- `offline-message-outbox`, never rebuilt: a replay finds every row already here and mails
-- nothing twice). A notice row with the nil user stands for "the site's agents and the
-- company's administrators, not yet named"; the mailer replaces it by one row each.
CREATE TABLE offline_message_mails (
    mail_id          uuid PRIMARY KEY,
    conversation_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    company_id       uuid NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'superseded')),
    attempts         integer NOT NULL DEFAULT 0,
    lease_until      timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    UNIQUE (conversation_id, user_id)
);
CREATE INDEX offline_message_mails_pending ON offline_message_mails (created_at) WHERE status = 'pending';

-- An agent's answers to offline messages, to mail to the visitor.
CREATE TABLE offline_answer_mails (
    answer_id        uuid PRIMARY KEY,
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
CREATE INDEX offline_answer_mails_pending ON offline_answer_mails (created_at) WHERE status = 'pending';

-- Messages left before this release were never announced; announcing them all at once on
-- the first start would flood inboxes with old news, so they count as handled.
INSERT INTO offline_message_mails (mail_id, conversation_id, user_id, company_id, status, created_at)
SELECT substr(e.stream, length('conversation-') + 1)::uuid, substr(e.stream, length('conversation-') + 1)::uuid,
       '00000000-0000-0000-0000-000000000000', coalesce(e.company_id, '00000000-0000-0000-0000-000000000000'), 'superseded', e.occurred_at
FROM events e WHERE e.event_type = 'OfflineMessageLeft'
ON CONFLICT DO NOTHING;

-- An answer sent by e-mail is a message of its conversation, marked as such.
ALTER TABLE messages ADD COLUMN by_email boolean NOT NULL DEFAULT false;
