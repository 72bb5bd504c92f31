-- Runs and quarantined inputs (SQLite). JSON values are stored as text;
-- timestamps as milliseconds since the Unix epoch (UTC).
CREATE TABLE runs (
    id               TEXT    NOT NULL PRIMARY KEY,  -- ULID: string order is time order
    workflow         TEXT    NOT NULL,
    workflow_version TEXT    NOT NULL,              -- content hash of the definition
    input            TEXT    NOT NULL,              -- JSON, as stored after redaction
    steps            TEXT    NOT NULL,              -- JSON array of step records
    output           TEXT,                          -- JSON
    decision         TEXT    NOT NULL CHECK (decision IN ('auto', 'review', 'fallback', 'block')),
    rule             TEXT,
    confidence       REAL,
    models           TEXT    NOT NULL,              -- JSON array of model names
    status           TEXT    NOT NULL CHECK (status IN ('completed', 'failed')),
    error            TEXT,
    idempotency_key  TEXT,
    created_at_ms    INTEGER NOT NULL,
    latency_us       INTEGER NOT NULL,
    release_id       TEXT
) STRICT;

-- Same workflow + key = same run. NULL keys never conflict.
CREATE UNIQUE INDEX runs_workflow_idempotency_key ON runs (workflow, idempotency_key);
CREATE INDEX runs_workflow_id ON runs (workflow, id);
CREATE INDEX runs_decision_id ON runs (decision, id);
CREATE INDEX runs_created_at ON runs (created_at_ms);

CREATE TABLE quarantine (
    id             TEXT    NOT NULL PRIMARY KEY,    -- ULID
    workflow       TEXT    NOT NULL,
    received_at_ms INTEGER NOT NULL,
    input          TEXT    NOT NULL,                -- JSON
    reason         TEXT    NOT NULL,
    field          TEXT
) STRICT;

CREATE INDEX quarantine_workflow_id ON quarantine (workflow, id);
