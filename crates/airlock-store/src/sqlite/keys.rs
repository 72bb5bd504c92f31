//! SQL for API keys on SQLite. Writes run on the dedicated locking
//! connection (`BEGIN IMMEDIATE`) with their audit record in the same
//! transaction; reads on the pool.

use airlock_core::{ApiKeyRecord, AuditEvent, Error, Result, Timestamp};
use sqlx::sqlite::SqliteRow;
use sqlx::SqliteExecutor;

use super::audit;
use super::locked_writer::LockedWriter;
use crate::key_codec::KeyColumns;
use crate::sql_error::map_sqlx;

macro_rules! key_columns {
    () => {
        "id, name, role, workflows, secret_sha256, created_at_ms, created_by, \
         expires_at_ms, revoked_at_ms, revoked_by"
    };
}

const COLUMNS: &str = key_columns!();
/// One key by id (also read synchronously by [`super::key_reader`]).
pub(crate) const SELECT_BY_ID: &str =
    concat!("SELECT ", key_columns!(), " FROM api_keys WHERE id = ?");

/// Inserts `key` (only if the table is empty when `only_first`) with its
/// audit record; `false` if `only_first` and a key existed.
pub(crate) async fn insert(
    locked: &LockedWriter,
    key: &ApiKeyRecord,
    audit_event: &AuditEvent,
    only_first: bool,
) -> Result<bool> {
    let c = KeyColumns::encode(key)?;
    let mut connection = locked.lock().await?;
    let mut tx = connection.begin_immediate().await?;
    if only_first {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| map_sqlx("count API keys", e))?;
        if count > 0 {
            return Ok(false);
        }
    }
    let sql = format!("INSERT INTO api_keys ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sqlx::query(&sql)
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.role)
        .bind(&c.workflows)
        .bind(&c.secret_sha256)
        .bind(c.created_at_ms)
        .bind(&c.created_by)
        .bind(c.expires_at_ms)
        .bind(c.revoked_at_ms)
        .bind(&c.revoked_by)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::key_errors::insert_failed(&c.id, e))?;
    audit::append(&mut tx, std::slice::from_ref(audit_event)).await?;
    tx.commit()
        .await
        .map_err(|e| map_sqlx(&format!("commit API key {}", c.id), e))?;
    Ok(true)
}

pub(crate) async fn get<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<Option<ApiKeyRecord>> {
    let row: Option<SqliteRow> = sqlx::query(SELECT_BY_ID)
        .bind(id)
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx(&format!("read API key {id}"), e))?;
    row.map(|row| KeyColumns::from_row(&row)?.decode())
        .transpose()
}

pub(crate) async fn list<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<ApiKeyRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys ORDER BY created_at_ms DESC, id DESC");
    let rows: Vec<SqliteRow> = sqlx::query(&sql)
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("list API keys", e))?;
    rows.iter()
        .map(|row| KeyColumns::from_row(row)?.decode())
        .collect()
}

pub(crate) async fn revoke(
    locked: &LockedWriter,
    id: &str,
    at: Timestamp,
    by: &str,
    audit_event: &AuditEvent,
) -> Result<ApiKeyRecord> {
    let mut connection = locked.lock().await?;
    let mut tx = connection.begin_immediate().await?;
    let current = get(&mut *tx, id)
        .await?
        .ok_or_else(|| crate::key_errors::not_found(id))?;
    if let Some(revoked_at) = current.revoked_at {
        return Err(crate::key_errors::already_revoked(&current, revoked_at));
    }
    sqlx::query("UPDATE api_keys SET revoked_at_ms = ?, revoked_by = ? WHERE id = ?")
        .bind(at.unix_ms())
        .bind(by)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_sqlx(&format!("revoke API key {id}"), e))?;
    audit::append(&mut tx, std::slice::from_ref(audit_event)).await?;
    let revoked = get(&mut *tx, id)
        .await?
        .ok_or_else(|| Error::internal(format!("API key {id} vanished while being revoked")))?;
    tx.commit()
        .await
        .map_err(|e| map_sqlx(&format!("commit the revocation of API key {id}"), e))?;
    Ok(revoked)
}
