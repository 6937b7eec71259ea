-- The service's Ed25519 signing keys (PostgreSQL), with which it signs receipts and
-- checkpoints. Every key stays here once used, so its public key stays published and what it
-- signed stays checkable; exactly one is current.
CREATE TABLE signing_keys (
    -- The first 16 hex digits of SHA-256 of the raw 32-byte public key.
    key_id          TEXT        PRIMARY KEY,
    algorithm       TEXT        NOT NULL CHECK (algorithm = 'Ed25519'),
    -- The raw 32-byte public key, base64 (standard alphabet, padded).
    public_key      TEXT        NOT NULL,
    -- The private key as PKCS#8 PEM; NULL for a key the operator keeps in a file
    -- (--signing-key-file), which is never copied here.
    private_key     TEXT,
    began_at        TIMESTAMPTZ NOT NULL,
    -- When another key became current; NULL while this one is.
    retired_at      TIMESTAMPTZ,
    -- TRUE for the current key, NULL for the others: the unique constraint lets one process
    -- only make the first key, however many start at once.
    is_current      BOOLEAN     UNIQUE CHECK (is_current),
    CHECK ((is_current IS NULL) = (retired_at IS NOT NULL))
);
