//! The webhook outbox on SQLite: deliveries enqueued inside the caller's
//! transaction, claimed by dispatchers under a lease, and every attempt.
//! Claims and attempts write through the dedicated locking connection
//! ([`LockedWriter`]) with `BEGIN IMMEDIATE`.

use airlock_core::{DeliveryAttempt, DeliveryRecord, Result, Timestamp};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqliteRow};
use sqlx::{QueryBuilder, SqliteExecutor};

use crate::cursor::page_limit;
use crate::keyset::{into_page, push_page_tail};
use crate::outbox_codec::{AttemptChange, AttemptColumns, DeliveryColumns};
use crate::review_traits::DeliveryFilter;
use crate::sql_error::map_sqlx;
use crate::sqlite::LockedWriter;
use crate::traits::Page;

/// Inserts one pending delivery inside the caller's transaction (used when
/// a run's review task is created and when a task changes).
pub(crate) async fn insert_delivery(
    conn: &mut SqliteConnection,
    delivery: &DeliveryRecord,
) -> Result<()> {
    let c = DeliveryColumns::encode(delivery)?;
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, event_id, event, endpoint, url, payload, status, \
         attempts, next_attempt_at_ms, lease_until_ms, created_at_ms, delivered_at_ms, \
         last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
    )
    .bind(&c.id)
    .bind(&c.event_id)
    .bind(&c.event)
    .bind(&c.endpoint)
    .bind(&c.url)
    .bind(&c.payload)
    .bind(&c.status)
    .bind(c.attempts)
    .bind(c.next_attempt_at_ms)
    .bind(c.created_at_ms)
    .bind(c.delivered_at_ms)
    .bind(&c.last_error)
    .execute(conn)
    .await
    .map_err(|e| map_sqlx(&format!("enqueue webhook delivery {}", c.id), e))?;
    Ok(())
}

const COLUMNS: &str = "id, event_id, event, endpoint, url, payload, status, attempts, \
     next_attempt_at_ms, created_at_ms, delivered_at_ms, last_error";

const ATTEMPT_COLUMNS: &str =
    "delivery_id, attempt, started_at_ms, duration_ms, status_code, error";

/// Takes up to `limit` pending deliveries due at `now` whose lease (if any)
/// ran out, oldest due first, and leases them until `lease_until`. One
/// `UPDATE ... RETURNING` statement inside `BEGIN IMMEDIATE`, so two
/// dispatchers (tasks or processes) never take the same delivery.
pub(crate) async fn claim_due(
    writer: &LockedWriter,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<DeliveryRecord>> {
    let sql = format!(
        "UPDATE webhook_deliveries SET lease_until_ms = ?1 WHERE id IN (\
           SELECT id FROM webhook_deliveries \
           WHERE status = 'pending' AND next_attempt_at_ms <= ?2 \
             AND (lease_until_ms IS NULL OR lease_until_ms <= ?2) \
           ORDER BY next_attempt_at_ms, id LIMIT ?3) \
         RETURNING {COLUMNS}"
    );
    let mut conn = writer.lock().await?;
    let mut tx = conn.begin_immediate().await?;
    let rows: Vec<SqliteRow> = sqlx::query(&sql)
        .bind(lease_until.unix_ms())
        .bind(now.unix_ms())
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| map_sqlx("claim due webhook deliveries", e))?;
    tx.commit()
        .await
        .map_err(|e| map_sqlx("commit claimed webhook deliveries", e))?;
    let mut claimed = rows
        .iter()
        .map(|row| DeliveryColumns::from_row(row)?.decode())
        .collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|d| (d.next_attempt_at, d.id));
    Ok(claimed)
}

/// Records `attempt` and moves its delivery on as `change` says, releasing
/// the lease, in one transaction.
pub(crate) async fn record_attempt(writer: &LockedWriter, change: &AttemptChange) -> Result<()> {
    let a = &change.attempt;
    let mut conn = writer.lock().await?;
    let mut tx = conn.begin_immediate().await?;
    let updated = sqlx::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?, status = ?, \
         next_attempt_at_ms = COALESCE(?, next_attempt_at_ms), delivered_at_ms = ?, \
         lease_until_ms = NULL \
         WHERE id = ? AND status = 'pending' AND attempts = ?",
    )
    .bind(&a.error)
    .bind(change.status.as_str())
    .bind(change.next_attempt_at_ms)
    .bind(change.delivered_at_ms)
    .bind(&a.delivery_id)
    .bind(a.attempt - 1)
    .execute(&mut *tx)
    .await
    .map_err(|e| map_sqlx(&format!("update webhook delivery {}", a.delivery_id), e))?;
    if updated.rows_affected() != 1 {
        let current = get(&mut *tx, &a.delivery_id).await?;
        return Err(change.refused(current.as_ref()));
    }
    let sql = format!("INSERT INTO webhook_attempts ({ATTEMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)");
    sqlx::query(&sql)
        .bind(&a.delivery_id)
        .bind(a.attempt)
        .bind(a.started_at_ms)
        .bind(a.duration_ms)
        .bind(a.status_code)
        .bind(&a.error)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_sqlx(&format!("record an attempt at {}", a.delivery_id), e))?;
    tx.commit()
        .await
        .map_err(|e| map_sqlx(&format!("commit an attempt at {}", a.delivery_id), e))
}

pub(crate) async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    id: &str,
) -> Result<Option<DeliveryRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_deliveries WHERE id = ?");
    let row: Option<SqliteRow> = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx(&format!("read webhook delivery {id}"), e))?;
    row.map(|row| DeliveryColumns::from_row(&row)?.decode())
        .transpose()
}

pub(crate) async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    filter: &DeliveryFilter,
) -> Result<Page<DeliveryRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE 1 = 1"
    ));
    if let Some(status) = filter.status {
        query.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(event) = filter.event {
        query.push(" AND event = ").push_bind(event.as_str());
    }
    if let Some(endpoint) = &filter.endpoint {
        query.push(" AND endpoint = ").push_bind(endpoint.clone());
    }
    push_page_tail(&mut query, filter.cursor.as_deref(), limit)?;
    let rows = query
        .build()
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("list webhook deliveries", e))?;
    into_page(
        &rows,
        limit,
        |row| DeliveryColumns::from_row(row)?.decode(),
        |delivery| delivery.id.to_string(),
    )
}

/// Every attempt at delivery `id`, oldest first.
pub(crate) async fn list_attempts<'e>(
    db: impl SqliteExecutor<'e>,
    id: &str,
) -> Result<Vec<DeliveryAttempt>> {
    let sql = format!(
        "SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt"
    );
    let rows: Vec<SqliteRow> = sqlx::query(&sql)
        .bind(id)
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx(&format!("list the attempts at webhook delivery {id}"), e))?;
    rows.iter()
        .map(|row| AttemptColumns::from_row(row)?.decode())
        .collect()
}
