//! SQL for the `quarantine` table on SQLite.

use airlock_core::{QuarantineRecord, Result};
use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::{QueryBuilder, SqliteExecutor};

use crate::cipher::PayloadCipher;
use crate::codec::QuarantineColumns;
use crate::cursor::page_limit;
use crate::group_commit::WriteOutcome;
use crate::keyset::{into_page, push_page_tail};
use crate::sql_error::map_sqlx;
use crate::traits::{Page, QuarantineFilter};

const COLUMNS: &str = "id, workflow, received_at_ms, input, reason, field";

pub(super) async fn insert(
    conn: &mut SqliteConnection,
    c: &QuarantineColumns,
) -> Result<WriteOutcome> {
    let sql = format!("INSERT INTO quarantine ({COLUMNS}, raw_input) VALUES (?, ?, ?, ?, ?, ?, ?)");
    sqlx::query(&sql)
        .bind(&c.id)
        .bind(&c.workflow)
        .bind(c.received_at_ms)
        .bind(&c.input)
        .bind(&c.reason)
        .bind(&c.field)
        .bind(&c.raw_input)
        .execute(conn)
        .await
        .map_err(|e| map_sqlx(&format!("insert quarantine record {}", c.id), e))?;
    Ok(WriteOutcome::QuarantineStored)
}

pub(crate) async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    filter: &QuarantineFilter,
    cipher: &PayloadCipher,
) -> Result<Page<QuarantineRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {COLUMNS} FROM quarantine WHERE 1 = 1"));
    if let Some(workflow) = &filter.workflow {
        query.push(" AND workflow = ").push_bind(workflow.clone());
    }
    if let Some(allowed) = &filter.workflows {
        crate::keyset::push_workflow_allowlist(&mut query, allowed);
    }
    push_page_tail(&mut query, filter.cursor.as_deref(), limit)?;
    let rows = query
        .build()
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("list quarantined inputs", e))?;
    into_page(
        &rows,
        limit,
        |row| QuarantineColumns::from_row(row)?.decode(cipher),
        |r| r.id.to_string(),
    )
}
