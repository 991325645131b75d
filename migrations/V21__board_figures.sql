-- The supervisor board's figures (projection `board-figures`, rebuilt from the log like any
-- read model): each wait of a conversation for an agent, and each conversation's first
-- answer and rating. The board averages and counts them over a time window.

-- A wait starts when the conversation starts or goes back to the queue (`seq`: that event's
-- version) and ends when an agent is assigned; a visitor who leaves first never ends it.
CREATE TABLE board_waits (
    conversation_id  uuid NOT NULL,
    seq              bigint NOT NULL,
    company_id       uuid NOT NULL,
    site_id          uuid NOT NULL,
    queued_at        timestamptz NOT NULL,
    assigned_at      timestamptz,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX board_waits_assigned ON board_waits (company_id, assigned_at) WHERE assigned_at IS NOT NULL;

-- A chat (never an offline message): when its visitor first wrote, what its first answer is
-- measured from, when that answer came, who held it last and the visitor's latest rating.
CREATE TABLE board_conversations (
    conversation_id    uuid PRIMARY KEY,
    company_id         uuid NOT NULL,
    site_id            uuid NOT NULL,
    started_at         timestamptz NOT NULL,
    first_visitor_at   timestamptz,
    responded_from     timestamptz,
    first_response_at  timestamptz,
    agent_id           uuid,
    rating             text CHECK (rating IN ('good', 'bad')),
    rated_at           timestamptz,
    rated_agent_id     uuid
);
CREATE INDEX board_conversations_responded ON board_conversations (company_id, first_response_at) WHERE first_response_at IS NOT NULL;
CREATE INDEX board_conversations_rated ON board_conversations (company_id, rated_at) WHERE rated_at IS NOT NULL;
