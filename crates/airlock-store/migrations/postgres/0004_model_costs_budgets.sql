-- What model calls cost, per run, and the spending counters budgets are
-- enforced on (PostgreSQL).
ALTER TABLE runs ADD COLUMN cost_micro_usd BIGINT;  -- millionths of a USD; NULL: no priced model call

CREATE TABLE budget_windows (
    scope           TEXT   NOT NULL,   -- key:<name> or workflow:<name>
    window_start_ms BIGINT NOT NULL,   -- fixed windows from the Unix epoch
    spent_micro_usd BIGINT NOT NULL,   -- reserved and spent, never above the limit
    PRIMARY KEY (scope, window_start_ms)
);
