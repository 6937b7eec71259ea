-- Users, role grants, service settings and the audit log (SQLite).

CREATE TABLE users (
    id              BLOB    PRIMARY KEY,
    username        TEXT    NOT NULL UNIQUE,
    password_hash   TEXT    NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at      TEXT    NOT NULL
) STRICT;

-- admin and auditor grants are service-wide; treasurer and member grants name a group, and a
-- member grant the member record it may read.
CREATE TABLE grants (
    id              BLOB    PRIMARY KEY,
    user_id         BLOB    NOT NULL REFERENCES users (id),
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'auditor', 'treasurer', 'member')),
    group_id        BLOB    REFERENCES groups (id),
    member_id       BLOB,
    created_at      TEXT    NOT NULL,
    CHECK ((role IN ('admin', 'auditor') AND group_id IS NULL AND member_id IS NULL)
        OR (role = 'treasurer' AND group_id IS NOT NULL AND member_id IS NULL)
        OR (role = 'member' AND group_id IS NOT NULL AND member_id IS NOT NULL))
) STRICT;

CREATE INDEX grants_by_user ON grants (user_id);

CREATE TABLE service_settings (
    name            TEXT    PRIMARY KEY,
    value           TEXT    NOT NULL
) STRICT;

CREATE TABLE audit_events (
    id              BLOB    PRIMARY KEY,
    occurred_at     TEXT    NOT NULL,
    user_id         BLOB,
    username        TEXT,
    group_id        BLOB,
    method          TEXT    NOT NULL,
    route           TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    idempotency_key TEXT,
    request_id      TEXT,
    created_ids     TEXT    NOT NULL,
    client_addr     TEXT
) STRICT;

CREATE INDEX audit_events_by_group ON audit_events (group_id, id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Who recorded each transaction (null for those recorded before access control existed).
ALTER TABLE transactions ADD COLUMN created_by BLOB REFERENCES users (id);
