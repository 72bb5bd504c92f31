//! Budget counters and cost aggregates on SQLite. A reservation is one
//! `INSERT … ON CONFLICT DO UPDATE … WHERE` statement under SQLite's write
//! lock: the limit check and the increment cannot interleave with another
//! writer's.

use airlock_core::Result;
use sqlx::SqlitePool;

use super::LockedWriter;
use crate::sql_error::map_sqlx;
use crate::usage_traits::UsageGroup;

pub(crate) async fn reserve(
    locked: &LockedWriter,
    scope: &str,
    window_start_ms: i64,
    amount: i64,
    limit: i64,
) -> Result<Option<i64>> {
    if amount > limit {
        return Ok(None);
    }
    let mut connection = locked.lock().await?;
    let mut tx = connection.begin_immediate().await?;
    let spent: Option<i64> = sqlx::query_scalar(
        "INSERT INTO budget_windows (scope, window_start_ms, spent_micro_usd) VALUES (?, ?, ?) \
         ON CONFLICT (scope, window_start_ms) DO UPDATE \
         SET spent_micro_usd = budget_windows.spent_micro_usd + excluded.spent_micro_usd \
         WHERE budget_windows.spent_micro_usd + excluded.spent_micro_usd <= ? \
         RETURNING spent_micro_usd",
    )
    .bind(scope)
    .bind(window_start_ms)
    .bind(amount)
    .bind(limit)
    .fetch_optional(&mut *tx)
    .await
    .map_err(|e| map_sqlx("reserve budget", e))?;
    tx.commit()
        .await
        .map_err(|e| map_sqlx("commit a budget reservation", e))?;
    Ok(spent)
}

pub(crate) async fn adjust(
    locked: &LockedWriter,
    scope: &str,
    window_start_ms: i64,
    delta: i64,
) -> Result<()> {
    let mut connection = locked.lock().await?;
    let mut tx = connection.begin_immediate().await?;
    sqlx::query(
        "INSERT INTO budget_windows (scope, window_start_ms, spent_micro_usd) VALUES (?, ?, MAX(?, 0)) \
         ON CONFLICT (scope, window_start_ms) DO UPDATE \
         SET spent_micro_usd = MAX(budget_windows.spent_micro_usd + ?, 0)",
    )
    .bind(scope)
    .bind(window_start_ms)
    .bind(delta)
    .bind(delta)
    .execute(&mut *tx)
    .await
    .map_err(|e| map_sqlx("adjust budget", e))?;
    tx.commit()
        .await
        .map_err(|e| map_sqlx("commit a budget adjustment", e))?;
    Ok(())
}

pub(crate) async fn spent(pool: &SqlitePool, scope: &str, window_start_ms: i64) -> Result<i64> {
    let spent: Option<i64> = sqlx::query_scalar(
        "SELECT spent_micro_usd FROM budget_windows WHERE scope = ? AND window_start_ms = ?",
    )
    .bind(scope)
    .bind(window_start_ms)
    .fetch_optional(pool)
    .await
    .map_err(|e| map_sqlx("read budget", e))?;
    Ok(spent.unwrap_or(0))
}

pub(crate) async fn usage(
    pool: &SqlitePool,
    group: UsageGroup,
    since_ms: i64,
) -> Result<Vec<(String, i64, i64)>> {
    let column = match group {
        UsageGroup::Workflow => "workflow",
        UsageGroup::Key => "COALESCE(key_id, '')",
    };
    let sql = format!(
        "SELECT {column} AS name, COUNT(*) AS runs, SUM(cost_micro_usd) AS cost FROM runs \
         WHERE cost_micro_usd IS NOT NULL AND created_at_ms >= ? \
         GROUP BY {column} ORDER BY cost DESC, name"
    );
    sqlx::query_as(&sql)
        .bind(since_ms)
        .fetch_all(pool)
        .await
        .map_err(|e| map_sqlx("sum model costs", e))
}
