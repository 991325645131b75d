-- Read model: the people of each company (projection `users`).
CREATE TABLE users (
    user_id               uuid PRIMARY KEY,
    company_id            uuid NOT NULL,
    email                 text NOT NULL,
    first_name            text NOT NULL,
    last_name             text NOT NULL,
    display_name          text NOT NULL DEFAULT '',
    phone                 text NOT NULL DEFAULT '',
    job_title             text NOT NULL DEFAULT '',
    roles                 text[] NOT NULL DEFAULT '{}',
    -- A member holds a seat in the company stream; until then the user is not listed.
    member                boolean NOT NULL DEFAULT false,
    active                boolean NOT NULL DEFAULT true,
    invitation_pending    boolean NOT NULL DEFAULT false,
    invitation_expires_at timestamptz,
    has_password          boolean NOT NULL DEFAULT false,
    max_chats             integer NOT NULL,
    created_at            timestamptz NOT NULL,
    created_by            text NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX users_by_company_and_name ON users (company_id, lower(last_name), lower(first_name), user_id);
CREATE INDEX users_by_email ON users (email);

-- Read model: seats bought and in use per company (projection `licences`).
CREATE TABLE companies (
    company_id    uuid PRIMARY KEY,
    name          text NOT NULL,
    seats         integer NOT NULL,
    seats_in_use  integer NOT NULL DEFAULT 0,
    registered_at timestamptz NOT NULL
);

-- Not event-sourced on purpose: password hashes stay out of the immutable log. The log
-- records that a password was set (PasswordSet), never what it hashes to.
CREATE TABLE credentials (
    user_id        uuid PRIMARY KEY,
    password_hash  text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Login sessions; only the SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash   text PRIMARY KEY,
    user_id      uuid NOT NULL,
    company_id   uuid NOT NULL,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
