-- Events for other systems (PostgreSQL): each group's posted events in order, written in the
-- transaction that posts them (the outbox), and the webhooks that deliver them.
CREATE TABLE events (
    group_id        UUID        NOT NULL REFERENCES groups (id),
    -- 1, 2, 3... within the group, in the order the events were committed.
    sequence        BIGINT      NOT NULL CHECK (sequence > 0),
    id              UUID        NOT NULL UNIQUE,
    type            TEXT        NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    -- The record the event is about: a contribution, a remittance, a member...
    subject_id      UUID,
    -- The transaction it posted, if any (immutable, read when the event is shown). Not a
    -- foreign key: the journal's tables keep their own guards, and the outbox follows them.
    transaction_id  UUID,
    -- For a change of a member, the member as the change left her (JSON).
    data            TEXT,
    PRIMARY KEY (group_id, sequence)
);

CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('events are immutable');
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('events are immutable');

CREATE TABLE webhooks (
    id                  UUID        PRIMARY KEY,
    group_id            UUID        NOT NULL REFERENCES groups (id),
    url                 TEXT        NOT NULL,
    secret              TEXT        NOT NULL,
    -- JSON array of event types; empty for every type.
    event_types         TEXT        NOT NULL,
    created_by          UUID        REFERENCES users (id),
    created_at          TIMESTAMPTZ NOT NULL,
    -- The sequence of the last event delivered (or skipped as not subscribed to).
    delivered_through   BIGINT      NOT NULL CHECK (delivered_through >= 0),
    -- Failed attempts since the last delivery.
    failures            BIGINT      NOT NULL CHECK (failures >= 0),
    next_attempt_at     TIMESTAMPTZ NOT NULL,
    last_attempt_at     TIMESTAMPTZ,
    last_status         BIGINT,
    last_error          TEXT,
    -- While a process delivers for this webhook: which delivery holds it, and until when.
    lease_token         UUID,
    lease_until         TIMESTAMPTZ
);

CREATE INDEX webhooks_by_group ON webhooks (group_id, id);
CREATE INDEX webhooks_due ON webhooks (next_attempt_at);
