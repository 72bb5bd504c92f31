//! SQL for the `feedback` table on SQLite. Inserts go through the
//! dedicated locking connection ([`LockedWriter`]) in a `BEGIN IMMEDIATE`
//! transaction, so the insert and the read-back of a clashing key see the
//! same committed state and wait out the group committer's write lock.

use airlock_core::{FeedbackRecord, Result, RunId};
use sqlx::sqlite::{Sqlite, SqliteRow};
use sqlx::{QueryBuilder, SqliteExecutor};

use crate::cursor::page_limit;
use crate::keyset::{into_page, push_page_tail};
use crate::outbox_codec::FeedbackColumns;
use crate::review_traits::{FeedbackFilter, FeedbackInserted};
use crate::sql_error::map_sqlx;
use crate::sqlite::LockedWriter;
use crate::traits::Page;

const COLUMNS: &str = "id, run_id, workflow, key, label, score, outcome, comment, created_at_ms";

/// Inserts `record` unless the run already has feedback with its key; then
/// returns the stored one. The unique `(run_id, key)` index settles races.
pub(crate) async fn insert(
    writer: &LockedWriter,
    record: FeedbackRecord,
) -> Result<FeedbackInserted> {
    let c = FeedbackColumns::encode(&record)?;
    let mut conn = writer.lock().await?;
    let mut tx = conn.begin_immediate().await?;
    let sql = format!(
        "INSERT INTO feedback ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (run_id, key) DO NOTHING"
    );
    let done = sqlx::query(&sql)
        .bind(&c.id)
        .bind(&c.run_id)
        .bind(&c.workflow)
        .bind(&c.key)
        .bind(&c.label)
        .bind(c.score)
        .bind(&c.outcome)
        .bind(&c.comment)
        .bind(c.created_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_sqlx(&format!("insert feedback {}", c.id), e))?;
    let inserted = if done.rows_affected() == 1 {
        FeedbackInserted::Created(record)
    } else {
        match find_by_key(&mut *tx, record.run_id, &record.key).await? {
            Some(stored) => FeedbackInserted::Existing(stored),
            None => return Err(crate::store_feedback::vanished_key(&record)),
        }
    };
    tx.commit()
        .await
        .map_err(|e| map_sqlx(&format!("commit feedback {}", c.id), e))?;
    Ok(inserted)
}

async fn find_by_key<'e>(
    db: impl SqliteExecutor<'e>,
    run_id: RunId,
    key: &str,
) -> Result<Option<FeedbackRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM feedback WHERE run_id = ? AND key = ?");
    let row: Option<SqliteRow> = sqlx::query(&sql)
        .bind(run_id.to_string())
        .bind(key)
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx(&format!("read feedback of run {run_id}"), e))?;
    row.map(|row| FeedbackColumns::from_row(&row)?.decode())
        .transpose()
}

pub(crate) async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    filter: &FeedbackFilter,
) -> Result<Page<FeedbackRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {COLUMNS} FROM feedback WHERE 1 = 1"));
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
