-- Canned responses (projection `canned-responses`): a company's shared ones (agent_id NULL,
-- managed by its administrators) and each agent's own. Shortcuts are kept unique by the
-- company's `canned-` stream, not here: a read model must never refuse an event.
CREATE TABLE canned_responses (
    response_id  uuid PRIMARY KEY,
    company_id   uuid NOT NULL,
    agent_id     uuid,
    shortcut     text NOT NULL,
    text         text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX canned_responses_owner ON canned_responses (company_id, agent_id, shortcut);
