-- Members get a number within their group (1, 2, 3... in order of joining), which treasurers
-- call out at meetings and write on the sheet. Numbers are never reused: members are never
-- deleted, and a new member takes the next number under the group's write lock.

ALTER TABLE members ADD COLUMN number BIGINT CHECK (number > 0);

UPDATE members SET number = numbered.number
FROM (
    SELECT id, row_number() OVER (PARTITION BY group_id ORDER BY joined_on, created_at, id) AS number
    FROM members
) AS numbered
WHERE members.id = numbered.id;

ALTER TABLE members ALTER COLUMN number SET NOT NULL;

CREATE UNIQUE INDEX members_by_number ON members (group_id, number);

-- A member's number is fixed once given.
CREATE TRIGGER members_number_fixed BEFORE UPDATE OF number ON members
    FOR EACH ROW WHEN (OLD.number IS DISTINCT FROM NEW.number)
    EXECUTE FUNCTION refuse_change('a member''s number never changes');

-- Corrections of who a member is (name, sex, birth year, countries, joining date): the old
-- and new value of each field changed, with who changed it, when and why. Append-only.
CREATE TABLE member_corrections (
    id              UUID        PRIMARY KEY,
    group_id        UUID        NOT NULL REFERENCES groups (id),
    member_id       UUID        NOT NULL REFERENCES members (id),
    corrected_at    TIMESTAMPTZ NOT NULL,
    corrected_by    UUID        REFERENCES users (id),
    reason          TEXT        NOT NULL,
    changes         TEXT        NOT NULL
);

CREATE INDEX member_corrections_by_member ON member_corrections (group_id, member_id, id);

CREATE TRIGGER member_corrections_immutable BEFORE UPDATE OR DELETE ON member_corrections
    FOR EACH ROW EXECUTE FUNCTION refuse_change('corrections are kept as made');
