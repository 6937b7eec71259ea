-- Access hardening (PostgreSQL): a password change ends older tokens; sign-in limits shared by
-- every process on the database.

-- Raised by every password change. Tokens this service issues carry the value they were
-- issued under, and are refused once it has moved on.
ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;

-- Failed sign-ins, counted per window, shared by every process on the database. The key names
-- what is counted: a username from one client address, a client address, or a username from
-- anywhere. A window starts at the first failure; rows whose window has ended are deleted.
CREATE TABLE sign_in_failures (
    key             TEXT    PRIMARY KEY,
    failures        BIGINT  NOT NULL CHECK (failures >= 0),
    window_ends_ms  BIGINT  NOT NULL
);

CREATE INDEX sign_in_failures_by_window_end ON sign_in_failures (window_ends_ms);

-- Client addresses each username signed in from lately: failures from elsewhere do not keep
-- the user out from these.
CREATE TABLE sign_in_known_addresses (
    username        TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    expires_ms      BIGINT  NOT NULL,
    PRIMARY KEY (username, address)
);

CREATE INDEX sign_in_known_addresses_by_expiry ON sign_in_known_addresses (expires_ms);
