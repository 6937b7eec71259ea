-- Events for other systems (SQLite): each group's posted events in order, written in the
-- transaction that posts them (the outbox), and the webhooks that deliver them.
CREATE TABLE events (
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    -- 1, 2, 3... within the group, in the order the events were committed.
    sequence        INTEGER NOT NULL CHECK (sequence > 0),
    id              BLOB    NOT NULL UNIQUE,
    type            TEXT    NOT NULL,
    occurred_at     TEXT    NOT NULL,
    -- The record the event is about: a contribution, a remittance, a member...
    subject_id      BLOB,
    -- The transaction it posted, if any (immutable, read when the event is shown). Not a
    -- foreign key: the journal's tables keep their own guards, and the outbox follows them.
    transaction_id  BLOB,
    -- For a change of a member, the member as the change left her (JSON).
    data            TEXT,
    PRIMARY KEY (group_id, sequence)
) STRICT;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;

CREATE TABLE webhooks (
    id                  BLOB    PRIMARY KEY,
    group_id            BLOB    NOT NULL REFERENCES groups (id),
    url                 TEXT    NOT NULL,
    secret              TEXT    NOT NULL,
    -- JSON array of event types; empty for every type.
    event_types         TEXT    NOT NULL,
    created_by          BLOB    REFERENCES users (id),
    created_at          TEXT    NOT NULL,
    -- The sequence of the last event delivered (or skipped as not subscribed to).
    delivered_through   INTEGER NOT NULL CHECK (delivered_through >= 0),
    -- Failed attempts since the last delivery.
    failures            INTEGER NOT NULL CHECK (failures >= 0),
    next_attempt_at     TEXT    NOT NULL,
    last_attempt_at     TEXT,
    last_status         INTEGER,
    last_error          TEXT,
    -- While a process delivers for this webhook: which delivery holds it, and until when.
    lease_token         BLOB,
    lease_until         TEXT
) STRICT;

CREATE INDEX webhooks_by_group ON webhooks (group_id, id);
CREATE INDEX webhooks_due ON webhooks (next_attempt_at);
