-- The event log. Append-only; the global reading order is (tx_id, position):
-- a reader only takes events whose writing transaction is older than every transaction
-- still running (tx_id < xmin of its snapshot), so an event that commits late is never
-- skipped by a reader that already moved past its position.
--
-- Appends are single INSERT ... SELECT statements that read the stream's last version and
-- write the next ones; the unique key (stream, version) is the arbiter between racing
-- writers (the loser gets a unique violation, reported as a conflict, never a silent
-- success). A writer reads the previous version only once it has committed, and takes its
-- transaction id at the insert that follows, so transaction ids follow each stream's
-- versions: readers ordering by (tx_id, position) see every stream in version order.
CREATE TABLE events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx_id           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid NOT NULL,
    stream          text NOT NULL,
    version         bigint NOT NULL CHECK (version >= 0),
    event_type      text NOT NULL,
    schema_version  integer NOT NULL CHECK (schema_version >= 1),
    payload         jsonb NOT NULL,
    company_id      uuid,
    actor           text NOT NULL,
    correlation_id  uuid NOT NULL,
    causation_id    uuid NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_key UNIQUE (stream, version)
);

CREATE INDEX events_reading_order ON events (tx_id, position);
CREATE INDEX events_company ON events (company_id, position) WHERE company_id IS NOT NULL;

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP;
END $$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- Where each projection (and each process manager) has got to, written in the same
-- transaction as its read model. (tx, pos) is the reading order above.
CREATE TABLE projection_checkpoints (
    name        text PRIMARY KEY,
    tx          bigint NOT NULL DEFAULT 0,
    pos         bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    last_error  text
);
