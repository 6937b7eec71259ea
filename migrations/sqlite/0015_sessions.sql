-- Browser sessions (SQLite): a signed-in browser holds a random value in a cookie; the service
-- keeps only its SHA-256, so a copy of the database signs no one in.
CREATE TABLE sessions (
    -- SHA-256 of the cookie's value, as lower-case hex.
    token_hash      TEXT    PRIMARY KEY,
    user_id         BLOB    NOT NULL REFERENCES users (id),
    -- The user's token_version at sign-in: a password changed since ends the session.
    token_version   INTEGER NOT NULL,
    -- Sent back by the browser in X-CSRF-Token with every write the cookie authenticates.
    csrf_token      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    -- Moved on by use, at most once a minute; the idle lifetime runs from it.
    last_seen_at    TEXT    NOT NULL,
    -- The absolute end, whatever the use.
    expires_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);
