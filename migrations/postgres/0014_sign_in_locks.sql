-- Sign-in locks that grow (PostgreSQL): each failure past a count's free ones locks it for twice as
-- long as the one before, from the last failure; an administrator can lift a user's locks.

-- When the count last grew, in milliseconds since the Unix epoch: its lock runs from then.
ALTER TABLE sign_in_failures ADD COLUMN last_failure_ms BIGINT NOT NULL DEFAULT 0;

-- The user a count belongs to (a username, alone or from one address), so that an
-- administrator lifting that user's locks finds every one; NULL for an address's count.
ALTER TABLE sign_in_failures ADD COLUMN username TEXT;

CREATE INDEX sign_in_failures_by_username ON sign_in_failures (username);
