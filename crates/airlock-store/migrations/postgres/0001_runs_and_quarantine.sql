-- Runs and quarantined inputs (PostgreSQL). JSON values use `json`, which
-- keeps the text exactly as written (jsonb would reject \u0000 in strings
-- and lose key order). Ids are compared bytewise (COLLATE "C") so their
-- order is the ULID time order whatever the database's locale.
CREATE TABLE runs (
    id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    workflow         TEXT             NOT NULL,
    workflow_version TEXT             NOT NULL,
    input            JSON             NOT NULL,
    steps            JSON             NOT NULL,
    output           JSON,
    decision         TEXT             NOT NULL CHECK (decision IN ('auto', 'review', 'fallback', 'block')),
    rule             TEXT,
    confidence       DOUBLE PRECISION,
    models           JSON             NOT NULL,
    status           TEXT             NOT NULL CHECK (status IN ('completed', 'failed')),
    error            TEXT,
    idempotency_key  TEXT,
    created_at       TIMESTAMPTZ      NOT NULL,
    latency_us       BIGINT           NOT NULL,
    release_id       TEXT
);

-- Same workflow + key = same run. NULL keys never conflict.
CREATE UNIQUE INDEX runs_workflow_idempotency_key ON runs (workflow, idempotency_key);
CREATE INDEX runs_workflow_id ON runs (workflow, id);
CREATE INDEX runs_decision_id ON runs (decision, id);
CREATE INDEX runs_created_at ON runs (created_at);

CREATE TABLE quarantine (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    workflow    TEXT             NOT NULL,
    received_at TIMESTAMPTZ      NOT NULL,
    input       JSON             NOT NULL,
    reason      TEXT             NOT NULL,
    field       TEXT
);

CREATE INDEX quarantine_workflow_id ON quarantine (workflow, id);
