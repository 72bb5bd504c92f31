//! SQL for the audit chain on PostgreSQL: appends inside the caller's
//! transaction, after locking the chain head row (`FOR UPDATE`), so
//! writers in any number of processes extend one chain in turn and never
//! fork it; reads for the API and for verification; checkpoints.

use airlock_core::{AuditCheckpoint, AuditEvent, AuditRecord, Result};
use sqlx::postgres::{PgConnection, PgRow, Postgres};
use sqlx::{PgExecutor, QueryBuilder};

use crate::audit_codec::{AuditColumns, CheckpointColumns};
use crate::audit_traits::{AuditFilter, AuditHead};
use crate::codec::to_i64;
use crate::cursor::page_limit;
use crate::sql_error::map_sqlx;
use crate::traits::Page;

const SELECT: &str = "SELECT seq, id, (EXTRACT(EPOCH FROM at) * 1000)::BIGINT AS at_ms, event, \
     actor, subject, workflow, details, prev_hash, hash FROM audit_log";
const SELECT_CHECKPOINTS: &str = "SELECT seq, hash, \
     (EXTRACT(EPOCH FROM at) * 1000)::BIGINT AS at_ms, key_id, signature FROM audit_checkpoints";
/// Rows per multi-row INSERT (10 binds each, far under PostgreSQL's 65,535).
const ROWS_PER_INSERT: usize = 1000;

/// Locks the head, links `events` after it and writes them and the new
/// head, inside the caller's transaction. Call it last in a transaction:
/// the head lock is held until commit.
pub(crate) async fn append(
    conn: &mut PgConnection,
    events: &[AuditEvent],
) -> Result<Vec<AuditRecord>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| map_sqlx("lock the audit chain head", e))?;
    let head = crate::audit_append::head_from(seq, hash)?;
    let records = crate::audit_append::link_all(events, &head)?;
    for chunk in records.chunks(ROWS_PER_INSERT) {
        let columns = chunk
            .iter()
            .map(AuditColumns::encode)
            .collect::<Result<Vec<_>>>()?;
        let mut query: QueryBuilder<Postgres> = QueryBuilder::new(
            "INSERT INTO audit_log (seq, id, at, event, actor, subject, workflow, details, \
             prev_hash, hash) ",
        );
        query.push_values(columns, |mut row, c| {
            row.push_bind(c.seq)
                .push_bind(c.id)
                .push("TIMESTAMPTZ 'epoch' + ")
                .push_bind_unseparated(c.at_ms)
                .push_unseparated("::BIGINT * INTERVAL '1 millisecond'")
                .push_bind(c.event)
                .push_bind(c.actor)
                .push_bind(c.subject)
                .push_bind(c.workflow)
                .push_bind(c.details)
                .push_bind(c.prev_hash)
                .push_bind(c.hash);
        });
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(|e| map_sqlx("append to the audit log", e))?;
    }
    if let Some(last) = records.last() {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(to_i64(last.seq, "seq")?)
            .bind(&last.hash)
            .execute(&mut *conn)
            .await
            .map_err(|e| map_sqlx("move the audit chain head", e))?;
    }
    Ok(records)
}

pub(crate) async fn read_head<'e>(db: impl PgExecutor<'e>) -> Result<AuditHead> {
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(db)
            .await
            .map_err(|e| map_sqlx("read the audit chain head", e))?;
    crate::audit_append::head_from(seq, hash)
}

pub(crate) async fn list<'e>(
    db: impl PgExecutor<'e>,
    filter: &AuditFilter,
) -> Result<Page<AuditRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!("{SELECT} WHERE TRUE"));
    if let Some(after) = filter.after {
        query
            .push(" AND seq > ")
            .push_bind(to_i64(after, "cursor")?);
    }
    if let Some(event) = &filter.event {
        query.push(" AND event = ").push_bind(event.clone());
    }
    if let Some(subject) = &filter.subject {
        query.push(" AND subject = ").push_bind(subject.clone());
    }
    if let Some(workflow) = &filter.workflow {
        query.push(" AND workflow = ").push_bind(workflow.clone());
    }
    if let Some(since) = filter.since {
        query
            .push(" AND at >= TIMESTAMPTZ 'epoch' + ")
            .push_bind(since.unix_ms())
            .push("::BIGINT * INTERVAL '1 millisecond'");
    }
    query
        .push(" ORDER BY seq LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let rows: Vec<PgRow> = query
        .build()
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("list audit records", e))?;
    let records = rows
        .iter()
        .map(|row| AuditColumns::from_row(row)?.decode())
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::audit_append::page(records, limit))
}

pub(crate) async fn range<'e>(
    db: impl PgExecutor<'e>,
    from: u64,
    limit: u32,
) -> Result<Vec<AuditRecord>> {
    let sql = format!("{SELECT} WHERE seq >= $1 ORDER BY seq LIMIT $2");
    let rows: Vec<PgRow> = sqlx::query(&sql)
        .bind(to_i64(from, "from")?)
        .bind(i64::from(limit))
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("read audit records", e))?;
    rows.iter()
        .map(|row| AuditColumns::from_row(row)?.decode())
        .collect()
}

pub(crate) async fn insert_checkpoint<'e>(
    db: impl PgExecutor<'e>,
    checkpoint: &AuditCheckpoint,
) -> Result<bool> {
    let c = CheckpointColumns::encode(checkpoint)?;
    let done = sqlx::query(
        "INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1, $2, \
         TIMESTAMPTZ 'epoch' + $3::BIGINT * INTERVAL '1 millisecond', $4, $5) \
         ON CONFLICT (seq) DO NOTHING",
    )
    .bind(c.seq)
    .bind(&c.hash)
    .bind(c.at_ms)
    .bind(&c.key_id)
    .bind(&c.signature)
    .execute(db)
    .await
    .map_err(|e| map_sqlx("store an audit checkpoint", e))?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn checkpoints<'e>(
    db: impl PgExecutor<'e>,
    latest_only: bool,
) -> Result<Vec<AuditCheckpoint>> {
    let sql = if latest_only {
        format!("{SELECT_CHECKPOINTS} ORDER BY seq DESC LIMIT 1")
    } else {
        format!("{SELECT_CHECKPOINTS} ORDER BY seq")
    };
    let rows: Vec<PgRow> = sqlx::query(&sql)
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("read audit checkpoints", e))?;
    rows.iter()
        .map(|row| CheckpointColumns::from_row(row)?.decode())
        .collect()
}
