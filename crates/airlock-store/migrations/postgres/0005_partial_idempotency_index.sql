-- Runs without an idempotency key (every model call through the gateway,
-- most workflow runs) stay out of the unique index: one B-tree fewer to
-- write per run. Keys that are NULL never conflicted, so what is unique
-- is unchanged; inserts name the index by `ON CONFLICT (workflow,
-- idempotency_key) WHERE idempotency_key IS NOT NULL`.
DROP INDEX runs_workflow_idempotency_key;
CREATE UNIQUE INDEX runs_workflow_idempotency_key ON runs (workflow, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
