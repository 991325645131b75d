-- The event log. Append-only; the global reading order is (tx_id, position):
-- a reader only takes events whose writing transaction is older than every transaction
-- still running (tx_id < xmin of its snapshot), so an event that commits late is never
-- skipped by a reader that already moved past its position.
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

-- Appends events to one stream in one round trip.
-- p_expected: -2 any version, -1 the stream must not exist, -3 it must exist, n >= 0 its
-- last version must be n. A mismatch raises SQLSTATE SB001 with the actual version
-- (-1 for none) as DETAIL. Re-appending event ids already stored returns their original
-- result with duplicate = true and stores nothing.
CREATE FUNCTION append_events(
    p_stream       text,
    p_expected     bigint,
    p_event_ids    uuid[],
    p_types        text[],
    p_schemas      integer[],
    p_payloads     jsonb[],
    p_occurred     timestamptz[],
    p_company      uuid,
    p_actor        text,
    p_correlation  uuid,
    p_causation    uuid
) RETURNS TABLE (first_version bigint, last_version bigint, tx text, pos bigint, duplicate boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_count   integer := coalesce(cardinality(p_event_ids), 0);
    v_found   integer;
    v_current bigint;
BEGIN
    IF v_count = 0 THEN
        RAISE EXCEPTION 'append_events needs at least one event' USING ERRCODE = '22023';
    END IF;
    -- The stream lock comes before any write. An advisory lock assigns no transaction id,
    -- so a writer gets its xid only once it owns the stream: xid order then follows each
    -- stream's version order, which readers rely on. (A row lock would assign the xid
    -- before waiting.)
    PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));

    SELECT count(*) INTO v_found FROM events e WHERE e.event_id = ANY (p_event_ids);
    IF v_found = v_count THEN
        RETURN QUERY
            SELECT min(e.version), max(e.version),
                   (array_agg(e.tx_id::text ORDER BY e.position DESC))[1], max(e.position), true
            FROM events e WHERE e.event_id = ANY (p_event_ids);
        RETURN;
    ELSIF v_found > 0 THEN
        RAISE EXCEPTION 'some of these events are stored already and others are not' USING ERRCODE = 'SB002';
    END IF;

    SELECT max(e.version) INTO v_current FROM events e WHERE e.stream = p_stream;
    IF (p_expected = -1 AND v_current IS NOT NULL)
       OR (p_expected = -3 AND v_current IS NULL)
       OR (p_expected >= 0 AND v_current IS DISTINCT FROM p_expected) THEN
        RAISE EXCEPTION 'wrong expected version for stream %', p_stream
            USING ERRCODE = 'SB001', DETAIL = coalesce(v_current, -1)::text;
    END IF;
    v_current := coalesce(v_current, -1);

    RETURN QUERY
    WITH inserted AS (
        INSERT INTO events (event_id, stream, version, event_type, schema_version, payload,
                            company_id, actor, correlation_id, causation_id, occurred_at)
        SELECT u.id, p_stream, v_current + u.n, u.t, u.s, u.p,
               p_company, p_actor, p_correlation, p_causation, u.o
        FROM unnest(p_event_ids, p_types, p_schemas, p_payloads, p_occurred)
             WITH ORDINALITY AS u(id, t, s, p, o, n)
        ORDER BY u.n
        RETURNING events.position
    )
    SELECT v_current + 1, v_current + v_count, pg_current_xact_id()::text, max(i.position), false
    FROM inserted i;
END $$;

-- Where each projection (and each process manager) has got to, written in the same
-- transaction as its read model. (tx, pos) is the reading order above.
CREATE TABLE projection_checkpoints (
    name        text PRIMARY KEY,
    tx          bigint NOT NULL DEFAULT 0,
    pos         bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    last_error  text
);
