-- The human review loop (PostgreSQL): review tasks with claims and votes,
-- feedback from downstream systems, and the webhook outbox with every
-- delivery attempt. Ids compare bytewise (COLLATE "C") like runs.id.
ALTER TABLE runs ADD COLUMN review_id TEXT COLLATE "C";

CREATE TABLE review_tasks (
    id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    run_id           TEXT COLLATE "C" NOT NULL UNIQUE,
    workflow         TEXT             NOT NULL,
    workflow_version TEXT             NOT NULL,
    rule             TEXT,
    reason           TEXT,
    priority         INTEGER          NOT NULL,
    created_at       TIMESTAMPTZ      NOT NULL,
    due_at           TIMESTAMPTZ      NOT NULL,
    suggestion       JSON             NOT NULL,
    suggested_label  TEXT,
    required_reviews INTEGER          NOT NULL CHECK (required_reviews >= 1),
    state            TEXT             NOT NULL CHECK (state IN ('open', 'escalated', 'resolved')),
    resolution       JSON,
    resolved_action  TEXT             CHECK (resolved_action IN ('approve', 'override', 'reject')),
    resolved_label   TEXT,
    resolved_at      TIMESTAMPTZ,
    overdue_notified BOOLEAN          NOT NULL DEFAULT FALSE,
    version          BIGINT           NOT NULL DEFAULT 0
);

CREATE INDEX review_tasks_queue ON review_tasks (state, due_at, id);
CREATE INDEX review_tasks_workflow ON review_tasks (workflow, state, due_at, id);

CREATE TABLE review_claims (
    review_id  TEXT COLLATE "C" NOT NULL REFERENCES review_tasks (id),
    reviewer   TEXT             NOT NULL,
    claimed_at TIMESTAMPTZ      NOT NULL,
    expires_at TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (review_id, reviewer)
);

CREATE TABLE review_votes (
    review_id    TEXT COLLATE "C" NOT NULL REFERENCES review_tasks (id),
    reviewer     TEXT             NOT NULL,
    action       TEXT             NOT NULL CHECK (action IN ('approve', 'override', 'reject')),
    output       JSON,
    label        TEXT,
    reason       TEXT,
    at           TIMESTAMPTZ      NOT NULL,
    adjudication BOOLEAN          NOT NULL,
    PRIMARY KEY (review_id, reviewer)
);

CREATE TABLE feedback (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    run_id     TEXT COLLATE "C" NOT NULL,
    workflow   TEXT             NOT NULL,
    key        TEXT             NOT NULL,
    label      TEXT,
    score      DOUBLE PRECISION,
    outcome    TEXT,
    comment    TEXT,
    created_at TIMESTAMPTZ      NOT NULL,
    UNIQUE (run_id, key)
);

CREATE INDEX feedback_workflow_id ON feedback (workflow, id);

CREATE TABLE webhook_deliveries (
    id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    event_id        TEXT COLLATE "C" NOT NULL,
    event           TEXT             NOT NULL CHECK (event IN ('review.created', 'review.resolved', 'review.overdue')),
    endpoint        TEXT             NOT NULL,
    url             TEXT             NOT NULL,
    payload         JSON             NOT NULL,
    status          TEXT             NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER          NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ      NOT NULL,
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ      NOT NULL,
    delivered_at    TIMESTAMPTZ,
    last_error      TEXT
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

CREATE TABLE webhook_attempts (
    delivery_id TEXT COLLATE "C" NOT NULL REFERENCES webhook_deliveries (id),
    attempt     INTEGER          NOT NULL,
    started_at  TIMESTAMPTZ      NOT NULL,
    duration_ms BIGINT           NOT NULL,
    status_code INTEGER,
    error       TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
