-- Events a projection could not apply (and those of the same stream behind them), parked so
-- that the rest of the log goes on; `switchboard parked retry` applies them again.
CREATE TABLE parked_events (
    projection  text NOT NULL,
    event_id    uuid NOT NULL,
    stream      text NOT NULL,
    version     bigint NOT NULL,
    tx          bigint NOT NULL,
    seq         bigint NOT NULL,
    event_type  text NOT NULL,
    error       text NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, event_id)
);
CREATE INDEX parked_events_by_stream ON parked_events (projection, stream);
