-- Users, role grants, service settings and the audit log (PostgreSQL).

CREATE TABLE users (
    id              UUID        PRIMARY KEY,
    username        TEXT        NOT NULL UNIQUE,
    password_hash   TEXT        NOT NULL,
    disabled        BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL
);

-- admin and auditor grants are service-wide; treasurer and member grants name a group, and a
-- member grant the member record it may read.
CREATE TABLE grants (
    id              UUID        PRIMARY KEY,
    user_id         UUID        NOT NULL REFERENCES users (id),
    role            TEXT        NOT NULL CHECK (role IN ('admin', 'auditor', 'treasurer', 'member')),
    group_id        UUID        REFERENCES groups (id),
    member_id       UUID,
    created_at      TIMESTAMPTZ NOT NULL,
    CHECK ((role IN ('admin', 'auditor') AND group_id IS NULL AND member_id IS NULL)
        OR (role = 'treasurer' AND group_id IS NOT NULL AND member_id IS NULL)
        OR (role = 'member' AND group_id IS NOT NULL AND member_id IS NOT NULL))
);

CREATE INDEX grants_by_user ON grants (user_id);

CREATE TABLE service_settings (
    name            TEXT        PRIMARY KEY,
    value           TEXT        NOT NULL
);

CREATE TABLE audit_events (
    id              UUID        PRIMARY KEY,
    occurred_at     TIMESTAMPTZ NOT NULL,
    user_id         UUID,
    username        TEXT,
    group_id        UUID,
    method          TEXT        NOT NULL,
    route           TEXT        NOT NULL,
    path            TEXT        NOT NULL,
    status          INTEGER     NOT NULL,
    idempotency_key TEXT,
    request_id      TEXT,
    created_ids     TEXT        NOT NULL,
    client_addr     TEXT
);

CREATE INDEX audit_events_by_group ON audit_events (group_id, id);

CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('the audit log is append-only');
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the audit log is append-only');

-- Who recorded each transaction (null for those recorded before access control existed).
ALTER TABLE transactions ADD COLUMN created_by UUID REFERENCES users (id);
