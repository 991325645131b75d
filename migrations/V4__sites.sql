-- Read model: site configurations with their agents (projection `sites`); the router and
-- the widget endpoints read these.
CREATE TABLE sites (
    site_id           uuid PRIMARY KEY,
    company_id        uuid NOT NULL,
    name              text NOT NULL,
    urls              text[] NOT NULL,
    notes             text NOT NULL,
    widget_key        text NOT NULL,
    restrict_to_urls  boolean NOT NULL,
    settings          jsonb NOT NULL,
    weight_high       integer NOT NULL DEFAULT 3,
    weight_normal     integer NOT NULL DEFAULT 2,
    weight_low        integer NOT NULL DEFAULT 1,
    deleted           boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX sites_by_widget_key ON sites (widget_key);
CREATE INDEX sites_by_company ON sites (company_id, lower(name));

CREATE TABLE site_agents (
    site_id      uuid NOT NULL,
    user_id      uuid NOT NULL,
    priority     text NOT NULL CHECK (priority IN ('high', 'normal', 'low')),
    assigned_at  timestamptz NOT NULL,
    PRIMARY KEY (site_id, user_id)
);
CREATE INDEX site_agents_by_user ON site_agents (user_id);

-- Where widgets were loaded from, to warn about unlisted origins. Telemetry, not events.
CREATE TABLE widget_origins (
    site_id     uuid NOT NULL,
    origin      text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, origin)
);

-- Read model: agents' presence and load (projection `agent-load`, with live chat).
CREATE TABLE agent_load (
    user_id        uuid PRIMARY KEY,
    company_id     uuid NOT NULL,
    status         text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'away', 'offline')),
    conversations  integer NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL
);
