-- Password reset links by the hash of their token (projection `users`): finds whose link it is.
CREATE TABLE password_reset_links (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL,
    reset_id    uuid NOT NULL
);

-- The password reset mailer's outbox (process manager `password-reset-outbox`, never rebuilt:
-- a replay finds every reset already here and mails nothing twice).
CREATE TABLE password_reset_mails (
    reset_id     uuid PRIMARY KEY,
    user_id      uuid NOT NULL,
    company_id   uuid NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'superseded')),
    attempts     integer NOT NULL DEFAULT 0,
    lease_until  timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL,
    sent_at      timestamptz
);
CREATE INDEX password_reset_mails_pending ON password_reset_mails (created_at) WHERE status = 'pending';

-- Password reset requests per address and per client, for the rate limit (not a read model;
-- owned by app::auth::password_reset). Rows older than a day are deleted as new ones come.
CREATE TABLE password_reset_requests (
    key  text NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_requests_key ON password_reset_requests (key, at);
