-- Access hardening (PostgreSQL): a password change ends older tokens; sign-in limits shared by
-- every process on the database.

-- Raised by every password change. Tokens this service issues carry the value they were
-- issued under, and are refused once it has moved on.
ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
