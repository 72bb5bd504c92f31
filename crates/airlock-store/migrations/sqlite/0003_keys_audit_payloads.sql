-- API keys, the tamper-evident audit chain with its signed checkpoints,
-- and what redaction, encryption at rest and retention need on runs and
-- quarantined inputs (SQLite).
CREATE TABLE api_keys (
    id            TEXT    NOT NULL PRIMARY KEY,  -- the key's public part, shown in listings
    name          TEXT    NOT NULL,              -- who holds it; reviewers are recorded by it
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'developer', 'reviewer', 'auditor', 'app')),
    workflows     TEXT,                          -- JSON array of names; NULL = every workflow
    secret_sha256 TEXT    NOT NULL,              -- of the whole key; the key itself is never stored
    created_at_ms INTEGER NOT NULL,
    created_by    TEXT    NOT NULL,
    expires_at_ms INTEGER,
    revoked_at_ms INTEGER,
    revoked_by    TEXT
) STRICT;

-- The chain: each record's hash covers its fields and its predecessor's hash.
CREATE TABLE audit_log (
    seq       INTEGER NOT NULL PRIMARY KEY,      -- 1, 2, 3, ... without gaps
    id        TEXT    NOT NULL UNIQUE,           -- ULID
    at_ms     INTEGER NOT NULL,
    event     TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    workflow  TEXT,
    details   TEXT    NOT NULL,                  -- JSON text exactly as hashed
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_log_at ON audit_log (at_ms);
CREATE INDEX audit_log_subject ON audit_log (subject);

-- The chain's head, one row: appends lock it, so writers (also in other
-- processes) extend one chain and never fork it.
CREATE TABLE audit_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
) STRICT;

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_checkpoints (
    seq       INTEGER NOT NULL PRIMARY KEY,
    hash      TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL,
    key_id    TEXT    NOT NULL,
    signature TEXT    NOT NULL
) STRICT;

-- Who asked for the run, a hash of the request as received (idempotent
-- retries are compared by it, since the stored input is redacted), the
-- unredacted payload when the workflow keeps it (encrypted), and when
-- retention purged the payloads.
ALTER TABLE runs ADD COLUMN key_id TEXT;
ALTER TABLE runs ADD COLUMN request_sha256 TEXT;
ALTER TABLE runs ADD COLUMN raw_payload TEXT;
ALTER TABLE runs ADD COLUMN purged_at_ms INTEGER;

ALTER TABLE quarantine ADD COLUMN raw_input TEXT;
ALTER TABLE quarantine ADD COLUMN purged_at_ms INTEGER;
