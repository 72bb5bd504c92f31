-- API keys, the tamper-evident audit chain with its signed checkpoints,
-- and what redaction, encryption at rest and retention need on runs and
-- quarantined inputs (PostgreSQL).
CREATE TABLE api_keys (
    id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name          TEXT             NOT NULL,
    role          TEXT             NOT NULL CHECK (role IN ('admin', 'developer', 'reviewer', 'auditor', 'app')),
    workflows     TEXT,
    secret_sha256 TEXT             NOT NULL,
    created_at    TIMESTAMPTZ      NOT NULL,
    created_by    TEXT             NOT NULL,
    expires_at    TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    revoked_by    TEXT
);

CREATE TABLE audit_log (
    seq       BIGINT           NOT NULL PRIMARY KEY,
    id        TEXT COLLATE "C" NOT NULL UNIQUE,
    at        TIMESTAMPTZ      NOT NULL,
    event     TEXT             NOT NULL,
    actor     TEXT             NOT NULL,
    subject   TEXT             NOT NULL,
    workflow  TEXT,
    details   TEXT             NOT NULL,
    prev_hash TEXT             NOT NULL,
    hash      TEXT             NOT NULL
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject);

CREATE TABLE audit_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  BIGINT  NOT NULL,
    hash TEXT    NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_checkpoints (
    seq       BIGINT      NOT NULL PRIMARY KEY,
    hash      TEXT        NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    key_id    TEXT        NOT NULL,
    signature TEXT        NOT NULL
);

ALTER TABLE runs ADD COLUMN key_id TEXT;
ALTER TABLE runs ADD COLUMN request_sha256 TEXT;
ALTER TABLE runs ADD COLUMN raw_payload TEXT;
ALTER TABLE runs ADD COLUMN purged_at TIMESTAMPTZ;

ALTER TABLE quarantine ADD COLUMN raw_input TEXT;
ALTER TABLE quarantine ADD COLUMN purged_at TIMESTAMPTZ;

-- Payloads are encrypted at rest (an envelope of text, not JSON).
ALTER TABLE runs ALTER COLUMN input TYPE TEXT;
ALTER TABLE runs ALTER COLUMN steps TYPE TEXT;
ALTER TABLE runs ALTER COLUMN output TYPE TEXT;
ALTER TABLE quarantine ALTER COLUMN input TYPE TEXT;
ALTER TABLE review_tasks ALTER COLUMN suggestion TYPE TEXT;
ALTER TABLE review_tasks ALTER COLUMN resolution TYPE TEXT;
ALTER TABLE review_votes ALTER COLUMN output TYPE TEXT;
ALTER TABLE webhook_deliveries ALTER COLUMN payload TYPE TEXT;
