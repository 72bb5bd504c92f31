//! SQL for API keys on PostgreSQL: writes in a pooled transaction with
//! their audit record; "only the first key" is decided under the audit
//! chain head's row lock, which every writer of the chain takes, so two
//! servers starting at once on an empty database create one admin key.

use airlock_core::{ApiKeyRecord, AuditEvent, Error, Result, Timestamp};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::PgExecutor;

use super::audit;
use crate::key_codec::KeyColumns;
use crate::sql_error::map_sqlx;

const SELECT: &str = "SELECT id, name, role, workflows, secret_sha256, \
     (EXTRACT(EPOCH FROM created_at) * 1000)::BIGINT AS created_at_ms, created_by, \
     (EXTRACT(EPOCH FROM expires_at) * 1000)::BIGINT AS expires_at_ms, \
     (EXTRACT(EPOCH FROM revoked_at) * 1000)::BIGINT AS revoked_at_ms, revoked_by FROM api_keys";

/// Inserts `key` (only if the table is empty when `only_first`) with its
/// audit record; `false` if `only_first` and a key existed.
pub(crate) async fn insert(
    pool: &PgPool,
    key: &ApiKeyRecord,
    audit_event: &AuditEvent,
    only_first: bool,
) -> Result<bool> {
    let c = KeyColumns::encode(key)?;
    let mut tx = super::pooled_begin::begin(pool, None, "begin a transaction").await?;
    if only_first {
        sqlx::query("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")
            .execute(&mut *tx)
            .await
            .map_err(|e| map_sqlx("lock the audit chain head", e))?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| map_sqlx("count API keys", e))?;
        if count > 0 {
            return Ok(false);
        }
    }
    sqlx::query(
        "INSERT INTO api_keys (id, name, role, workflows, secret_sha256, created_at, created_by, \
         expires_at, revoked_at, revoked_by) VALUES ($1, $2, $3, $4, $5, \
         TIMESTAMPTZ 'epoch' + $6::BIGINT * INTERVAL '1 millisecond', $7, \
         TIMESTAMPTZ 'epoch' + $8::BIGINT * INTERVAL '1 millisecond', \
         TIMESTAMPTZ 'epoch' + $9::BIGINT * INTERVAL '1 millisecond', $10)",
    )
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

pub(crate) async fn get<'e>(db: impl PgExecutor<'e>, id: &str) -> Result<Option<ApiKeyRecord>> {
    let sql = format!("{SELECT} WHERE id = $1");
    let row: Option<PgRow> = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx(&format!("read API key {id}"), e))?;
    row.map(|row| KeyColumns::from_row(&row)?.decode())
        .transpose()
}

pub(crate) async fn list<'e>(db: impl PgExecutor<'e>) -> Result<Vec<ApiKeyRecord>> {
    let sql = format!("{SELECT} ORDER BY created_at DESC, id DESC");
    let rows: Vec<PgRow> = sqlx::query(&sql)
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("list API keys", e))?;
    rows.iter()
        .map(|row| KeyColumns::from_row(row)?.decode())
        .collect()
}

pub(crate) async fn revoke(
    pool: &PgPool,
    id: &str,
    at: Timestamp,
    by: &str,
    audit_event: &AuditEvent,
) -> Result<ApiKeyRecord> {
    let mut tx = super::pooled_begin::begin(pool, None, "begin a transaction").await?;
    let sql = format!("{SELECT} WHERE id = $1 FOR UPDATE");
    let row: Option<PgRow> = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| map_sqlx(&format!("lock API key {id}"), e))?;
    let current = row
        .map(|row| KeyColumns::from_row(&row)?.decode())
        .transpose()?
        .ok_or_else(|| crate::key_errors::not_found(id))?;
    if let Some(revoked_at) = current.revoked_at {
        return Err(crate::key_errors::already_revoked(&current, revoked_at));
    }
    sqlx::query(
        "UPDATE api_keys SET revoked_at = TIMESTAMPTZ 'epoch' + $1::BIGINT * INTERVAL \
         '1 millisecond', revoked_by = $2 WHERE id = $3",
    )
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
