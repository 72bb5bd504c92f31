//! SQL for the audit chain on SQLite: appends inside the caller's write
//! transaction (SQLite's single write lock, taken by `BEGIN IMMEDIATE` on
//! both write connections, serialises every appender, also across
//! processes), reads for the API and for verification, and checkpoints.

use airlock_core::{AuditCheckpoint, AuditEvent, AuditRecord, Result};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqliteRow};
use sqlx::{QueryBuilder, SqliteExecutor};

use crate::audit_codec::{AuditColumns, CheckpointColumns};
use crate::audit_traits::{AuditFilter, AuditHead};
use crate::cursor::page_limit;
use crate::sql_error::map_sqlx;
use crate::traits::Page;

pub(super) const COLUMNS: &str =
    "seq, id, at_ms, event, actor, subject, workflow, details, prev_hash, hash";
const CHECKPOINT_COLUMNS: &str = "seq, hash, at_ms, key_id, signature";
/// Rows per multi-row INSERT (10 binds each, far under SQLite's limit).
const ROWS_PER_INSERT: usize = 500;

/// Links `events` after the chain head and writes them and the new head,
/// inside the caller's (write-locked) transaction.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    events: &[AuditEvent],
) -> Result<Vec<AuditRecord>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let head = read_head(&mut *conn).await?;
    let records = crate::audit_append::link_all(events, &head)?;
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("");
    push_append(&mut query, &records)?;
    query
        .build()
        .execute(&mut *conn)
        .await
        .map_err(|e| map_sqlx("append to the audit log", e))?;
    Ok(records)
}

/// Adds the statements that write `records` (already linked after the
/// head) and move the head to the last of them, each ending in `;`, so
/// they can share one round trip with what comes before and after.
pub(crate) fn push_append(
    query: &mut QueryBuilder<'_, Sqlite>,
    records: &[AuditRecord],
) -> Result<()> {
    push_rows(query, records)?;
    if let Some(last) = records.last() {
        push_head(query, last)?;
    }
    Ok(())
}

/// Adds the inserts of `records` (at most [`ROWS_PER_INSERT`] a
/// statement), each ending in `;`.
pub(crate) fn push_rows(
    query: &mut QueryBuilder<'_, Sqlite>,
    records: &[AuditRecord],
) -> Result<()> {
    for chunk in records.chunks(ROWS_PER_INSERT) {
        let columns = chunk
            .iter()
            .map(AuditColumns::encode)
            .collect::<Result<Vec<_>>>()?;
        query.push(format!("INSERT INTO audit_log ({COLUMNS}) "));
        query.push_values(columns, |mut row, c| {
            row.push_bind(c.seq)
                .push_bind(c.id)
                .push_bind(c.at_ms)
                .push_bind(c.event)
                .push_bind(c.actor)
                .push_bind(c.subject)
                .push_bind(c.workflow)
                .push_bind(c.details)
                .push_bind(c.prev_hash)
                .push_bind(c.hash);
        });
        query.push("; ");
    }
    Ok(())
}

/// Moves the chain head (binds: seq, hash).
pub(super) const UPDATE_HEAD: &str = "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1";

/// Adds the statement moving the chain head to `last`, ending in `;`.
pub(crate) fn push_head(query: &mut QueryBuilder<'_, Sqlite>, last: &AuditRecord) -> Result<()> {
    query
        .push("UPDATE audit_head SET seq = ")
        .push_bind(crate::codec::to_i64(last.seq, "seq")?)
        .push(", hash = ")
        .push_bind(last.hash.clone())
        .push(" WHERE id = 1; ");
    Ok(())
}

/// The statement [`push_append`]'s callers put first to read the head in
/// the same round trip; its one row goes to [`head_from_row`].
pub(crate) const SELECT_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// The head from a row of [`SELECT_HEAD`].
pub(crate) fn head_from_row(row: &SqliteRow) -> Result<AuditHead> {
    use sqlx::Row;
    let seq: i64 = row
        .try_get("seq")
        .map_err(|e| map_sqlx("read the audit chain head", e))?;
    let hash: String = row
        .try_get("hash")
        .map_err(|e| map_sqlx("read the audit chain head", e))?;
    crate::audit_append::head_from(seq, hash)
}

pub(crate) async fn read_head<'e>(db: impl SqliteExecutor<'e>) -> Result<AuditHead> {
    let row = sqlx::query(SELECT_HEAD)
        .fetch_one(db)
        .await
        .map_err(|e| map_sqlx("read the audit chain head", e))?;
    head_from_row(&row)
}

pub(crate) async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    filter: &AuditFilter,
) -> Result<Page<AuditRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1"));
    if let Some(after) = filter.after {
        query
            .push(" AND seq > ")
            .push_bind(crate::codec::to_i64(after, "cursor")?);
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
        query.push(" AND at_ms >= ").push_bind(since.unix_ms());
    }
    query
        .push(" ORDER BY seq LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let rows: Vec<SqliteRow> = query
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
    db: impl SqliteExecutor<'e>,
    from: u64,
    limit: u32,
) -> Result<Vec<AuditRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?");
    let rows: Vec<SqliteRow> = sqlx::query(&sql)
        .bind(crate::codec::to_i64(from, "from")?)
        .bind(i64::from(limit))
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("read audit records", e))?;
    rows.iter()
        .map(|row| AuditColumns::from_row(row)?.decode())
        .collect()
}

pub(crate) async fn insert_checkpoint<'e>(
    db: impl SqliteExecutor<'e>,
    checkpoint: &AuditCheckpoint,
) -> Result<bool> {
    let c = CheckpointColumns::encode(checkpoint)?;
    let sql = format!(
        "INSERT INTO audit_checkpoints ({CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (seq) DO NOTHING"
    );
    let done = sqlx::query(&sql)
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
    db: impl SqliteExecutor<'e>,
    latest_only: bool,
) -> Result<Vec<AuditCheckpoint>> {
    let sql = if latest_only {
        format!("SELECT {CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1")
    } else {
        format!("SELECT {CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY seq")
    };
    let rows: Vec<SqliteRow> = sqlx::query(&sql)
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("read audit checkpoints", e))?;
    rows.iter()
        .map(|row| CheckpointColumns::from_row(row)?.decode())
        .collect()
}
