//! The webhook outbox on PostgreSQL: deliveries enqueued inside the
//! caller's transaction, claimed by dispatchers under a lease (with
//! `FOR UPDATE SKIP LOCKED`, so processes never take the same one), and
//! every attempt.

use airlock_core::{DeliveryRecord, Result};
use sqlx::postgres::PgConnection;

use crate::outbox_codec::DeliveryColumns;
use crate::sql_error::map_sqlx;

/// `$n` milliseconds since the epoch as a `TIMESTAMPTZ`.
macro_rules! ms {
    ($n:literal) => {
        concat!("TIMESTAMPTZ 'epoch' + $", $n, "::BIGINT * INTERVAL '1 millisecond'")
    };
}

/// Inserts one pending delivery inside the caller's transaction (used when
/// a run's review task is created and when a task changes).
pub(crate) async fn insert_delivery(
    conn: &mut PgConnection,
    delivery: &DeliveryRecord,
) -> Result<()> {
    let c = DeliveryColumns::encode(delivery)?;
    sqlx::query(concat!(
        "INSERT INTO webhook_deliveries (id, event_id, event, endpoint, url, payload, status, \
         attempts, next_attempt_at, lease_until, created_at, delivered_at, last_error) \
         VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8::INTEGER, ",
        ms!(9),
        ", NULL, ",
        ms!(10),
        ", ",
        ms!(11),
        ", $12)"
    ))
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
