//! SQL for the `feedback` table on PostgreSQL. `created_at` travels as
//! Unix milliseconds, converted in SQL with exact integer arithmetic.

use airlock_core::{FeedbackRecord, Result, RunId};
use sqlx::postgres::{PgPool, PgRow, Postgres};
use sqlx::{PgExecutor, QueryBuilder};

use crate::cursor::page_limit;
use crate::keyset::{into_page, push_page_tail};
use crate::outbox_codec::FeedbackColumns;
use crate::review_traits::{FeedbackFilter, FeedbackInserted};
use crate::sql_error::map_sqlx;
use crate::traits::Page;

const SELECT: &str = "SELECT id, run_id, workflow, key, label, score, outcome, comment, \
     (EXTRACT(EPOCH FROM created_at) * 1000)::BIGINT AS created_at_ms FROM feedback";

const INSERT: &str = "INSERT INTO feedback (id, run_id, workflow, key, label, score, outcome, \
     comment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
     TIMESTAMPTZ 'epoch' + $9::BIGINT * INTERVAL '1 millisecond') \
     ON CONFLICT (run_id, key) DO NOTHING";

/// Inserts `record` unless the run already has feedback with its key; then
/// returns the stored one. A concurrent insert of the same key makes this
/// one wait for it to commit, then find its row.
pub(crate) async fn insert(pool: &PgPool, record: FeedbackRecord) -> Result<FeedbackInserted> {
    let c = FeedbackColumns::encode(&record)?;
    let done = sqlx::query(INSERT)
        .bind(&c.id)
        .bind(&c.run_id)
        .bind(&c.workflow)
        .bind(&c.key)
        .bind(&c.label)
        .bind(c.score)
        .bind(&c.outcome)
        .bind(&c.comment)
        .bind(c.created_at_ms)
        .execute(pool)
        .await
        .map_err(|e| map_sqlx(&format!("insert feedback {}", c.id), e))?;
    if done.rows_affected() == 1 {
        return Ok(FeedbackInserted::Created(record));
    }
    match find_by_key(pool, record.run_id, &record.key).await? {
        Some(stored) => Ok(FeedbackInserted::Existing(stored)),
        None => Err(crate::store_feedback::vanished_key(&record)),
    }
}

async fn find_by_key<'e>(
    db: impl PgExecutor<'e>,
    run_id: RunId,
    key: &str,
) -> Result<Option<FeedbackRecord>> {
    let sql = format!("{SELECT} WHERE run_id = $1 AND key = $2");
    let row: Option<PgRow> = sqlx::query(&sql)
        .bind(run_id.to_string())
        .bind(key)
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx(&format!("read feedback of run {run_id}"), e))?;
    row.map(|row| FeedbackColumns::from_row(&row)?.decode())
        .transpose()
}

pub(crate) async fn list<'e>(
    db: impl PgExecutor<'e>,
    filter: &FeedbackFilter,
) -> Result<Page<FeedbackRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!("{SELECT} WHERE TRUE"));
    if let Some(workflow) = &filter.workflow {
        query.push(" AND workflow = ").push_bind(workflow.clone());
    }
    if let Some(run_id) = filter.run_id {
        query.push(" AND run_id = ").push_bind(run_id.to_string());
    }
    if filter.labelled {
        query.push(" AND label IS NOT NULL");
    }
    push_page_tail(&mut query, filter.cursor.as_deref(), limit)?;
    let rows = query
        .build()
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("list feedback", e))?;
    into_page(
        &rows,
        limit,
        |row| FeedbackColumns::from_row(row)?.decode(),
        |record| record.id.to_string(),
    )
}
