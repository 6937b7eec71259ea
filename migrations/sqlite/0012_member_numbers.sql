-- Members get a number within their group (1, 2, 3... in order of joining), which treasurers
-- call out at meetings and write on the sheet. Numbers are never reused: members are never
-- deleted, and a new member takes the next number under the group's write lock.

ALTER TABLE members ADD COLUMN number INTEGER CHECK (number > 0);

UPDATE members SET number = (
    SELECT COUNT(*) FROM members earlier
    WHERE earlier.group_id = members.group_id
      AND (earlier.joined_on, earlier.created_at, earlier.id)
          <= (members.joined_on, members.created_at, members.id)
);

CREATE UNIQUE INDEX members_by_number ON members (group_id, number);

-- A member's number is fixed once given.
CREATE TRIGGER members_number_fixed BEFORE UPDATE OF number ON members
WHEN OLD.number IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a member''s number never changes'); END;

-- Corrections of who a member is (name, sex, birth year, countries, joining date): the old
-- and new value of each field changed, with who changed it, when and why. Append-only.
CREATE TABLE member_corrections (
    id              BLOB    PRIMARY KEY,
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    member_id       BLOB    NOT NULL REFERENCES members (id),
    corrected_at    TEXT    NOT NULL,
    corrected_by    BLOB    REFERENCES users (id),
    reason          TEXT    NOT NULL,
    changes         TEXT    NOT NULL
) STRICT;

CREATE INDEX member_corrections_by_member ON member_corrections (group_id, member_id, id);

CREATE TRIGGER member_corrections_no_update BEFORE UPDATE ON member_corrections
BEGIN SELECT RAISE(ABORT, 'corrections are kept as made'); END;
CREATE TRIGGER member_corrections_no_delete BEFORE DELETE ON member_corrections
BEGIN SELECT RAISE(ABORT, 'corrections are kept as made'); END;
