-- Meetings recorded at once: who attended, and the events recorded there; distributions of one
-- investment's income (SQLite).

CREATE TABLE meetings (
    id          BLOB    PRIMARY KEY,
    group_id    BLOB    NOT NULL REFERENCES groups (id),
    held_on     TEXT    NOT NULL,
    note        TEXT,
    created_by  BLOB    REFERENCES users (id),
    created_at  TEXT    NOT NULL
) STRICT;

CREATE INDEX meetings_by_group ON meetings (group_id, id);

CREATE TABLE meeting_attendance (
    meeting_id  BLOB    NOT NULL REFERENCES meetings (id),
    group_id    BLOB    NOT NULL REFERENCES groups (id),
    member_id   BLOB    NOT NULL REFERENCES members (id),
    PRIMARY KEY (meeting_id, member_id)
) STRICT;

CREATE TABLE meeting_events (
    meeting_id  BLOB    NOT NULL REFERENCES meetings (id),
    group_id    BLOB    NOT NULL REFERENCES groups (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    event_id    BLOB    NOT NULL UNIQUE REFERENCES member_events (id),
    PRIMARY KEY (meeting_id, position)
) STRICT;

CREATE TRIGGER meetings_no_update BEFORE UPDATE ON meetings
BEGIN SELECT RAISE(ABORT, 'recorded meetings are immutable'); END;
CREATE TRIGGER meetings_no_delete BEFORE DELETE ON meetings
BEGIN SELECT RAISE(ABORT, 'recorded meetings are immutable'); END;
CREATE TRIGGER meeting_attendance_no_update BEFORE UPDATE ON meeting_attendance
BEGIN SELECT RAISE(ABORT, 'recorded meetings are immutable'); END;
CREATE TRIGGER meeting_attendance_no_delete BEFORE DELETE ON meeting_attendance
BEGIN SELECT RAISE(ABORT, 'recorded meetings are immutable'); END;
CREATE TRIGGER meeting_events_no_update BEFORE UPDATE ON meeting_events
BEGIN SELECT RAISE(ABORT, 'recorded meetings are immutable'); END;
CREATE TRIGGER meeting_events_no_delete BEFORE DELETE ON meeting_events
BEGIN SELECT RAISE(ABORT, 'recorded meetings are immutable'); END;

-- A distribution may share out one investment's income rather than the undistributed surplus.
ALTER TABLE distributions ADD COLUMN source_investment_id BLOB REFERENCES investments (id);
