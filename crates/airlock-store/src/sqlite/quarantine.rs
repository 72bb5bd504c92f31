//! SQL for the `quarantine` table on SQLite.

use airlock_core::{QuarantineRecord, Result};
use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::{QueryBuilder, SqliteExecutor};

use crate::codec::QuarantineColumns;
use crate::cursor::{page_limit, parse_cursor, split_page};
use crate::group_commit::WriteOutcome;
use crate::sql_error::map_sqlx;
use crate::traits::{Page, QuarantineFilter};

const COLUMNS: &str = "id, workflow, received_at_ms, input, reason, field";

pub(super) async fn insert(
    conn: &mut SqliteConnection,
    c: &QuarantineColumns,
) -> Result<WriteOutcome> {
    let sql = format!("INSERT INTO quarantine ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)");
    sqlx::query(&sql)
        .bind(&c.id)
        .bind(&c.workflow)
        .bind(c.received_at_ms)
        .bind(&c.input)
        .bind(&c.reason)
        .bind(&c.field)
        .execute(conn)
        .await
        .map_err(|e| map_sqlx(&format!("insert quarantine record {}", c.id), e))?;
    Ok(WriteOutcome::QuarantineStored)
}

pub(crate) async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    filter: &QuarantineFilter,
) -> Result<Page<QuarantineRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {COLUMNS} FROM quarantine WHERE 1 = 1"));
    if let Some(workflow) = &filter.workflow {
        query.push(" AND workflow = ").push_bind(workflow.clone());
    }
    if let Some(cursor) = &filter.cursor {
        query.push(" AND id < ").push_bind(parse_cursor(cursor)?);
    }
    query
        .push(" ORDER BY id DESC LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let rows = query
        .build()
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("list quarantined inputs", e))?;
    let records = rows
        .iter()
        .map(|row| QuarantineColumns::from_row(row)?.decode())
        .collect::<Result<Vec<_>>>()?;
    let (items, next_cursor) = split_page(records, limit, |r| r.id.to_string());
    Ok(Page { items, next_cursor })
}
