//! The quality aggregates on PostgreSQL: every count is a `GROUP BY` in
//! SQL, read in one `REPEATABLE READ` transaction so all parts describe
//! the same snapshot.

use airlock_core::{Result, Timestamp};
use sqlx::postgres::{PgConnection, PgPool, PgRow, Postgres};
use sqlx::QueryBuilder;

use crate::quality_codec;
use crate::review_traits::QualityCounts;
use crate::sql_error::map_sqlx;

/// `$n` milliseconds since the epoch as a `TIMESTAMPTZ`, after a bound
/// parameter.
const MS: &str = "::BIGINT * INTERVAL '1 millisecond' + TIMESTAMPTZ 'epoch'";

/// The counts for `workflow` over rows created at or after `since`; the
/// SLA breaches and the backlog are judged at `now`.
pub(crate) async fn counts(
    pool: &PgPool,
    workflow: &str,
    since: Option<Timestamp>,
    now: Timestamp,
) -> Result<QualityCounts> {
    let mut tx = super::pooled_begin::begin(
        pool,
        Some("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        "begin reading quality counts",
    )
    .await?;
    let now = now.unix_ms();

    let mut decisions =
        QueryBuilder::new("SELECT workflow_version, decision, COUNT(*) AS runs FROM runs");
    scope(&mut decisions, workflow, since);
    decisions.push(" GROUP BY workflow_version, decision");
    let decisions = fetch(&mut tx, decisions, "count runs by decision").await?;

    let mut reviews = QueryBuilder::new(
        "SELECT workflow_version, state, resolved_action, COUNT(*) AS tasks, \
         SUM(CASE WHEN state = 'resolved' THEN \
               CASE WHEN resolved_at > due_at THEN 1 ELSE 0 END \
             WHEN due_at <= ",
    );
    reviews
        .push_bind(now)
        .push(MS)
        .push(" THEN 1 ELSE 0 END) AS sla_breached FROM review_tasks");
    scope(&mut reviews, workflow, since);
    reviews.push(" GROUP BY workflow_version, state, resolved_action");
    let reviews = fetch(&mut tx, reviews, "count review tasks").await?;

    let mut labels = QueryBuilder::new(
        "SELECT workflow_version, suggested_label, resolved_label, COUNT(*) AS tasks \
         FROM review_tasks",
    );
    scope(&mut labels, workflow, since);
    labels.push(
        " AND state = 'resolved' AND resolved_label IS NOT NULL \
         GROUP BY workflow_version, suggested_label, resolved_label",
    );
    let labels = fetch(&mut tx, labels, "count resolved labels").await?;

    let mut backlog = QueryBuilder::new(
        "SELECT SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END) AS open_tasks, \
         SUM(CASE WHEN state = 'escalated' THEN 1 ELSE 0 END) AS escalated_tasks, \
         SUM(CASE WHEN due_at <= ",
    );
    backlog.push_bind(now).push(MS).push(
        " THEN 1 ELSE 0 END) AS overdue_tasks, \
         (EXTRACT(EPOCH FROM MIN(created_at)) * 1000)::BIGINT AS oldest_created_at_ms \
         FROM review_tasks",
    );
    scope(&mut backlog, workflow, None);
    backlog.push(" AND state <> 'resolved'");
    let backlog = fetch(&mut tx, backlog, "measure the review backlog").await?;

    let mut totals = QueryBuilder::new(
        "SELECT COUNT(*) AS records, COUNT(label) AS labelled, AVG(score) AS mean_score \
         FROM feedback",
    );
    scope(&mut totals, workflow, since);
    let totals = fetch(&mut tx, totals, "summarise feedback").await?;

    let mut outcomes = QueryBuilder::new("SELECT outcome, COUNT(*) AS reports FROM feedback");
    scope(&mut outcomes, workflow, since);
    outcomes.push(" AND outcome IS NOT NULL GROUP BY outcome");
    let outcomes = fetch(&mut tx, outcomes, "count feedback outcomes").await?;

    tx.rollback()
        .await
        .map_err(|e| map_sqlx("end reading quality counts", e))?;
    Ok(QualityCounts {
        decisions: quality_codec::decisions(&decisions)?,
        reviews: quality_codec::reviews(&reviews)?,
        labels: quality_codec::labels(&labels)?,
        backlog: quality_codec::backlog(one(&backlog)?)?,
        feedback: quality_codec::feedback(one(&totals)?, &outcomes)?,
    })
}

/// `WHERE workflow = $n [AND created_at >= ...]` (every table queried has
/// both columns).
fn scope(query: &mut QueryBuilder<'_, Postgres>, workflow: &str, since: Option<Timestamp>) {
    query
        .push(" WHERE workflow = ")
        .push_bind(workflow.to_string());
    if let Some(since) = since {
        query
            .push(" AND created_at >= ")
            .push_bind(since.unix_ms())
            .push(MS);
    }
}

async fn fetch(
    conn: &mut PgConnection,
    mut query: QueryBuilder<'_, Postgres>,
    action: &str,
) -> Result<Vec<PgRow>> {
    query
        .build()
        .fetch_all(conn)
        .await
        .map_err(|e| map_sqlx(action, e))
}

fn one(rows: &[PgRow]) -> Result<&PgRow> {
    rows.first()
        .ok_or_else(|| airlock_core::Error::internal("an aggregate query returned no row"))
}
