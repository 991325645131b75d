-- Read model: conversations and their transcripts (projection `conversations`).
CREATE TABLE conversations (
    conversation_id  uuid PRIMARY KEY,
    company_id       uuid NOT NULL,
    site_id          uuid NOT NULL,
    visitor_id       uuid NOT NULL,
    visitor_name     text,
    visitor_email    text,
    state            text NOT NULL CHECK (state IN ('waiting', 'assigned', 'closed', 'offline')),
    agent_id         uuid,
    agent_name       text,
    page_url         text NOT NULL DEFAULT '',
    started_at       timestamptz NOT NULL,
    queued_at        timestamptz,
    assigned_at      timestamptz,
    closed_at        timestamptz,
    closed_by        text,
    last_message_at  timestamptz,
    messages         integer NOT NULL DEFAULT 0,
    preview          text NOT NULL DEFAULT '',
    decision         jsonb
);
CREATE INDEX conversations_waiting ON conversations (site_id, queued_at) WHERE state = 'waiting';
CREATE INDEX conversations_open_by_agent ON conversations (agent_id) WHERE state = 'assigned';
CREATE INDEX conversations_by_company ON conversations (company_id, started_at DESC);
CREATE INDEX conversations_by_visitor ON conversations (visitor_id, started_at DESC);

CREATE TABLE messages (
    conversation_id  uuid NOT NULL,
    seq              bigint NOT NULL,
    client_id        uuid NOT NULL,
    sender           text NOT NULL CHECK (sender IN ('visitor', 'agent', 'system')),
    agent_id         uuid,
    agent_name       text,
    text             text NOT NULL,
    posted_at        timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

-- Visitors are known by a random token kept in their browser; only its hash is stored.
CREATE TABLE visitors (
    token_hash   text PRIMARY KEY,
    visitor_id   uuid NOT NULL,
    site_id      uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Agents' open console sockets across server processes, for the disconnection grace period.
CREATE TABLE agent_connections (
    connection_id  uuid PRIMARY KEY,
    user_id        uuid NOT NULL,
    open           boolean NOT NULL DEFAULT true,
    last_seen      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_connections_by_user ON agent_connections (user_id);
