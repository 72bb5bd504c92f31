-- What model calls cost, per run, and the spending counters budgets are
-- enforced on (SQLite).
ALTER TABLE runs ADD COLUMN cost_micro_usd INTEGER;  -- millionths of a USD; NULL: no priced model call

CREATE TABLE budget_windows (
    scope           TEXT    NOT NULL,   -- key:<name> or workflow:<name>
    window_start_ms INTEGER NOT NULL,   -- fixed windows from the Unix epoch
    spent_micro_usd INTEGER NOT NULL,   -- reserved and spent, never above the limit
    PRIMARY KEY (scope, window_start_ms)
) STRICT;
