-- Meetings recorded at once: who attended, and the events recorded there; distributions of one
-- investment's income (PostgreSQL).

CREATE TABLE meetings (
    id          UUID        PRIMARY KEY,
    group_id    UUID        NOT NULL REFERENCES groups (id),
    held_on     DATE        NOT NULL,
    note        TEXT,
    created_by  UUID        REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX meetings_by_group ON meetings (group_id, id);

CREATE TABLE meeting_attendance (
    meeting_id  UUID    NOT NULL REFERENCES meetings (id),
    group_id    UUID    NOT NULL REFERENCES groups (id),
    member_id   UUID    NOT NULL REFERENCES members (id),
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE meeting_events (
    meeting_id  UUID    NOT NULL REFERENCES meetings (id),
    group_id    UUID    NOT NULL REFERENCES groups (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    event_id    UUID    NOT NULL UNIQUE REFERENCES member_events (id),
    PRIMARY KEY (meeting_id, position)
);

CREATE TRIGGER meetings_immutable BEFORE UPDATE OR DELETE ON meetings
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded meetings are immutable');
CREATE TRIGGER meeting_attendance_immutable BEFORE UPDATE OR DELETE ON meeting_attendance
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded meetings are immutable');
CREATE TRIGGER meeting_events_immutable BEFORE UPDATE OR DELETE ON meeting_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded meetings are immutable');
CREATE TRIGGER meetings_no_truncate BEFORE TRUNCATE ON meetings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded meetings are immutable');
CREATE TRIGGER meeting_attendance_no_truncate BEFORE TRUNCATE ON meeting_attendance
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded meetings are immutable');
CREATE TRIGGER meeting_events_no_truncate BEFORE TRUNCATE ON meeting_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded meetings are immutable');

-- A distribution may share out one investment's income rather than the undistributed surplus.
ALTER TABLE distributions ADD COLUMN source_investment_id UUID REFERENCES investments (id);
