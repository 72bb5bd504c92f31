//! Budget counters and cost aggregates on PostgreSQL. A reservation is one
//! `INSERT … ON CONFLICT DO UPDATE … WHERE` statement: PostgreSQL locks the
//! conflicting row and re-checks the condition against its latest
//! version, so concurrent reservations can never overspend together.

use airlock_core::Result;
use sqlx::PgPool;

use crate::sql_error::map_sqlx;
use crate::usage_traits::UsageGroup;

pub(crate) async fn reserve(
    pool: &PgPool,
    scope: &str,
    window_start_ms: i64,
    amount: i64,
    limit: i64,
) -> Result<Option<i64>> {
    if amount > limit {
        return Ok(None);
    }
    sqlx::query_scalar(
        "INSERT INTO budget_windows (scope, window_start_ms, spent_micro_usd) VALUES ($1, $2, $3) \
         ON CONFLICT (scope, window_start_ms) DO UPDATE \
         SET spent_micro_usd = budget_windows.spent_micro_usd + EXCLUDED.spent_micro_usd \
         WHERE budget_windows.spent_micro_usd + EXCLUDED.spent_micro_usd <= $4 \
         RETURNING spent_micro_usd",
    )
    .bind(scope)
    .bind(window_start_ms)
    .bind(amount)
    .bind(limit)
    .fetch_optional(pool)
    .await
    .map_err(|e| map_sqlx("reserve budget", e))
}

pub(crate) async fn adjust(
    pool: &PgPool,
    scope: &str,
    window_start_ms: i64,
    delta: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO budget_windows (scope, window_start_ms, spent_micro_usd) VALUES ($1, $2, GREATEST($3, 0)) \
         ON CONFLICT (scope, window_start_ms) DO UPDATE \
         SET spent_micro_usd = GREATEST(budget_windows.spent_micro_usd + $3, 0)",
    )
    .bind(scope)
    .bind(window_start_ms)
    .bind(delta)
    .execute(pool)
    .await
    .map_err(|e| map_sqlx("adjust budget", e))?;
    Ok(())
}

pub(crate) async fn spent(pool: &PgPool, scope: &str, window_start_ms: i64) -> Result<i64> {
    let spent: Option<i64> = sqlx::query_scalar(
        "SELECT spent_micro_usd FROM budget_windows WHERE scope = $1 AND window_start_ms = $2",
    )
    .bind(scope)
    .bind(window_start_ms)
    .fetch_optional(pool)
    .await
    .map_err(|e| map_sqlx("read budget", e))?;
    Ok(spent.unwrap_or(0))
}

pub(crate) async fn usage(
    pool: &PgPool,
    group: UsageGroup,
    since_ms: i64,
) -> Result<Vec<(String, i64, i64)>> {
    let column = match group {
        UsageGroup::Workflow => "workflow",
        UsageGroup::Key => "COALESCE(key_id, '')",
    };
    let sql = format!(
        "SELECT {column} AS name, COUNT(*) AS runs, SUM(cost_micro_usd)::BIGINT AS cost FROM runs \
         WHERE cost_micro_usd IS NOT NULL \
         AND created_at >= TIMESTAMPTZ 'epoch' + $1::BIGINT * INTERVAL '1 millisecond' \
         GROUP BY {column} ORDER BY cost DESC, name"
    );
    sqlx::query_as(&sql)
        .bind(since_ms.max(0))
        .fetch_all(pool)
        .await
        .map_err(|e| map_sqlx("sum model costs", e))
}
