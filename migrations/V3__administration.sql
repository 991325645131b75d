-- Invitation links by the hash of their token (projection `users`): finds whose link it is.
CREATE TABLE invitation_links (
    token_hash     text PRIMARY KEY,
    user_id        uuid NOT NULL,
    invitation_id  uuid NOT NULL
);

-- The invitation mailer's outbox (process manager `invitation-outbox`, never rebuilt: a
-- replay finds every invitation already here and sends nothing twice).
CREATE TABLE invitation_mails (
    invitation_id  uuid PRIMARY KEY,
    user_id        uuid NOT NULL,
    company_id     uuid NOT NULL,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'superseded')),
    attempts       integer NOT NULL DEFAULT 0,
    lease_until    timestamptz,
    last_error     text,
    created_at     timestamptz NOT NULL,
    sent_at        timestamptz
);
CREATE INDEX invitation_mails_pending ON invitation_mails (created_at) WHERE status = 'pending';

-- Who did what to whom (projection `audit`).
CREATE TABLE audit_log (
    event_id         uuid PRIMARY KEY,
    tx               bigint NOT NULL,
    seq              bigint NOT NULL,
    company_id       uuid,
    subject_user_id  uuid,
    actor            text NOT NULL,
    event_type       text NOT NULL,
    details          jsonb NOT NULL,
    occurred_at      timestamptz NOT NULL
);
CREATE INDEX audit_by_subject ON audit_log (subject_user_id, tx, seq);
CREATE INDEX audit_by_company ON audit_log (company_id, tx, seq);

-- Failed logins, to slow down guessing (shared by every server process).
CREATE TABLE login_failures (
    key   text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);

-- CSV imports: the uploaded rows, their outcomes and the progress of the import.
CREATE TABLE user_imports (
    import_id    uuid PRIMARY KEY,
    company_id   uuid NOT NULL,
    created_by   uuid NOT NULL,
    status       text NOT NULL CHECK (status IN ('preview', 'running', 'finished', 'failed')),
    total        integer NOT NULL,
    done         integer NOT NULL DEFAULT 0,
    created      integer NOT NULL DEFAULT 0,
    skipped      integer NOT NULL DEFAULT 0,
    outcomes     jsonb NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX user_imports_by_company ON user_imports (company_id, created_at);
