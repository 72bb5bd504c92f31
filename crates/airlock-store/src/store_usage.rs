//! [`UsageStore`] for [`Store`]: budget counters and cost aggregates on
//! either backend. Budget writes are single conditional upserts; on SQLite
//! they take the dedicated locking connection so they never wait behind
//! the group committer's pool.

use airlock_core::{Result, Timestamp};
use async_trait::async_trait;

use crate::store::{Reads, Store};
use crate::usage_traits::{UsageGroup, UsageRow, UsageStore};
use crate::{postgres, sqlite};

#[async_trait]
impl UsageStore for Store {
    async fn reserve_budget(
        &self,
        scope: &str,
        window_start_ms: i64,
        amount: u64,
        limit: u64,
    ) -> Result<Option<u64>> {
        let amount = to_i64(amount)?;
        let limit = to_i64(limit)?;
        let spent = match &self.inner.reads {
            Reads::Sqlite(_) => {
                sqlite::usage::reserve(self.sqlite_locked()?, scope, window_start_ms, amount, limit)
                    .await?
            }
            Reads::Postgres(pool) => {
                postgres::usage::reserve(pool, scope, window_start_ms, amount, limit).await?
            }
        };
        Ok(spent.map(|s| s.max(0) as u64))
    }

    async fn adjust_budget(&self, scope: &str, window_start_ms: i64, delta: i64) -> Result<()> {
        match &self.inner.reads {
            Reads::Sqlite(_) => {
                sqlite::usage::adjust(self.sqlite_locked()?, scope, window_start_ms, delta).await
            }
            Reads::Postgres(pool) => {
                postgres::usage::adjust(pool, scope, window_start_ms, delta).await
            }
        }
    }

    async fn budget_spent(&self, scope: &str, window_start_ms: i64) -> Result<u64> {
        let spent = match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::usage::spent(pool, scope, window_start_ms).await?,
            Reads::Postgres(pool) => postgres::usage::spent(pool, scope, window_start_ms).await?,
        };
        Ok(spent.max(0) as u64)
    }

    async fn usage(&self, group: UsageGroup, since: Option<Timestamp>) -> Result<Vec<UsageRow>> {
        let since_ms = since.map(|t| t.unix_ms()).unwrap_or(i64::MIN);
        let rows = match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::usage::usage(pool, group, since_ms).await?,
            Reads::Postgres(pool) => postgres::usage::usage(pool, group, since_ms).await?,
        };
        Ok(rows
            .into_iter()
            .map(|(name, runs, cost)| UsageRow {
                name,
                runs: runs.max(0) as u64,
                cost_micro_usd: cost.max(0) as u64,
            })
            .collect())
    }
}

fn to_i64(value: u64) -> Result<i64> {
    i64::try_from(value)
        .map_err(|_| airlock_core::Error::invalid_input(format!("amount {value} is too large")))
}
