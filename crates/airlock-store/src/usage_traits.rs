//! [`UsageStore`]: spending counters that budgets are enforced on, and
//! model cost aggregated per workflow or per API key.

use airlock_core::{Result, Timestamp};
use async_trait::async_trait;

/// How [`UsageStore::usage`] groups runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageGroup {
    Workflow,
    Key,
}

/// Cost of one group's runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    /// The workflow name, or the API key id (`""` for in-process runs).
    pub name: String,
    /// Runs that made a priced model call.
    pub runs: u64,
    pub cost_micro_usd: u64,
}

/// Budget counters and cost aggregates.
#[async_trait]
pub trait UsageStore: Send + Sync {
    /// Adds `amount` to the counter of `scope` in the window starting at
    /// `window_start_ms` only if the sum stays at or below `limit`, in one
    /// statement, so concurrent callers can never overspend together.
    /// `Ok(None)`: refused (the counter is unchanged); `Ok(Some(spent))`:
    /// reserved, with the new total.
    async fn reserve_budget(
        &self,
        scope: &str,
        window_start_ms: i64,
        amount: u64,
        limit: u64,
    ) -> Result<Option<u64>>;

    /// Adds `delta` (negative: gives back an unused reservation) to the
    /// counter, never below zero.
    async fn adjust_budget(&self, scope: &str, window_start_ms: i64, delta: i64) -> Result<()>;

    /// The counter of `scope` in that window (0 when nothing was spent).
    async fn budget_spent(&self, scope: &str, window_start_ms: i64) -> Result<u64>;

    /// Cost of runs created at or after `since`, per workflow or per key,
    /// summed by the database; most expensive first.
    async fn usage(&self, group: UsageGroup, since: Option<Timestamp>) -> Result<Vec<UsageRow>>;
}
