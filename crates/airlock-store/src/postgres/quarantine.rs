//! SQL for the `quarantine` table on PostgreSQL.

use airlock_core::{QuarantineRecord, Result};
use sqlx::postgres::{PgConnection, Postgres};
use sqlx::{PgExecutor, QueryBuilder};

use crate::codec::QuarantineColumns;
use crate::cursor::{page_limit, parse_cursor, split_page};
use crate::group_commit::WriteOutcome;
use crate::sql_error::map_sqlx;
use crate::traits::{Page, QuarantineFilter};

const SELECT: &str = "SELECT id, workflow, \
     (EXTRACT(EPOCH FROM received_at) * 1000)::BIGINT AS received_at_ms, \
     input::text AS input, reason, field FROM quarantine";

pub(super) async fn insert(conn: &mut PgConnection, c: &QuarantineColumns) -> Result<WriteOutcome> {
    sqlx::query(
        "INSERT INTO quarantine (id, workflow, received_at, input, reason, field) VALUES ($1, $2, \
         TIMESTAMPTZ 'epoch' + $3::BIGINT * INTERVAL '1 millisecond', $4::json, $5, $6)",
    )
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
    db: impl PgExecutor<'e>,
    filter: &QuarantineFilter,
) -> Result<Page<QuarantineRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!("{SELECT} WHERE TRUE"));
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
