-- The human review loop (SQLite): review tasks with claims and votes,
-- feedback from downstream systems, and the webhook outbox with every
-- delivery attempt. JSON as text, timestamps as Unix milliseconds.
ALTER TABLE runs ADD COLUMN review_id TEXT;

CREATE TABLE review_tasks (
    id               TEXT    NOT NULL PRIMARY KEY,  -- ULID
    run_id           TEXT    NOT NULL UNIQUE,
    workflow         TEXT    NOT NULL,
    workflow_version TEXT    NOT NULL,
    rule             TEXT,
    reason           TEXT,
    priority         INTEGER NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    due_at_ms        INTEGER NOT NULL,
    suggestion       TEXT    NOT NULL,              -- JSON Suggestion
    suggested_label  TEXT,                          -- suggestion.label, for filters and quality
    required_reviews INTEGER NOT NULL CHECK (required_reviews >= 1),
    state            TEXT    NOT NULL CHECK (state IN ('open', 'escalated', 'resolved')),
    resolution       TEXT,                          -- JSON Resolution
    resolved_action  TEXT    CHECK (resolved_action IN ('approve', 'override', 'reject')),
    resolved_label   TEXT,
    resolved_at_ms   INTEGER,
    overdue_notified INTEGER NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX review_tasks_queue ON review_tasks (state, due_at_ms, id);
CREATE INDEX review_tasks_workflow ON review_tasks (workflow, state, due_at_ms, id);

-- One row per reviewer per task: their latest claim.
CREATE TABLE review_claims (
    review_id     TEXT    NOT NULL,
    reviewer      TEXT    NOT NULL,
    claimed_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    PRIMARY KEY (review_id, reviewer)
) STRICT;

-- One vote per reviewer per task.
CREATE TABLE review_votes (
    review_id    TEXT    NOT NULL,
    reviewer     TEXT    NOT NULL,
    action       TEXT    NOT NULL CHECK (action IN ('approve', 'override', 'reject')),
    output       TEXT,                              -- JSON
    label        TEXT,
    reason       TEXT,
    at_ms        INTEGER NOT NULL,
    adjudication INTEGER NOT NULL,
    PRIMARY KEY (review_id, reviewer)
) STRICT;

CREATE TABLE feedback (
    id            TEXT    NOT NULL PRIMARY KEY,     -- ULID
    run_id        TEXT    NOT NULL,
    workflow      TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    label         TEXT,
    score         REAL,
    outcome       TEXT,
    comment       TEXT,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (run_id, key)
) STRICT;

CREATE INDEX feedback_workflow_id ON feedback (workflow, id);

CREATE TABLE webhook_deliveries (
    id                 TEXT    NOT NULL PRIMARY KEY, -- ULID
    event_id           TEXT    NOT NULL,
    event              TEXT    NOT NULL CHECK (event IN ('review.created', 'review.resolved', 'review.overdue')),
    endpoint           TEXT    NOT NULL,
    url                TEXT    NOT NULL,
    payload            TEXT    NOT NULL,             -- JSON body
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    lease_until_ms     INTEGER,                      -- held by a dispatcher until then
    created_at_ms      INTEGER NOT NULL,
    delivered_at_ms    INTEGER,
    last_error         TEXT
) STRICT;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at_ms);

CREATE TABLE webhook_attempts (
    delivery_id   TEXT    NOT NULL,
    attempt       INTEGER NOT NULL,
    started_at_ms INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    status_code   INTEGER,
    error         TEXT,
    PRIMARY KEY (delivery_id, attempt)
) STRICT;
