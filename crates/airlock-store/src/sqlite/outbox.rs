//! The webhook outbox on SQLite: deliveries enqueued inside the caller's
//! transaction, claimed by dispatchers under a lease, and every attempt.

use airlock_core::{DeliveryRecord, Result};
use sqlx::sqlite::SqliteConnection;

use crate::outbox_codec::DeliveryColumns;
use crate::sql_error::map_sqlx;

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
