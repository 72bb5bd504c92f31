//! The webhook outbox on PostgreSQL: deliveries enqueued inside the
//! caller's transaction, claimed by dispatchers under a lease (with
//! `FOR UPDATE SKIP LOCKED`, so processes never take the same one), and
//! every attempt.

use airlock_core::{DeliveryAttempt, DeliveryRecord, Result, Timestamp};
use sqlx::postgres::{PgConnection, PgPool, PgRow, Postgres};
use sqlx::{PgExecutor, QueryBuilder};

use crate::cursor::page_limit;
use crate::keyset::{into_page, push_page_tail};
use crate::outbox_codec::{AttemptChange, AttemptColumns, DeliveryColumns};
use crate::review_traits::DeliveryFilter;
use crate::sql_error::map_sqlx;
use crate::traits::Page;

/// `$n` milliseconds since the epoch as a `TIMESTAMPTZ`.
macro_rules! ms {
    ($n:literal) => {
        concat!(
            "TIMESTAMPTZ 'epoch' + $",
            $n,
            "::BIGINT * INTERVAL '1 millisecond'"
        )
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

/// The delivery columns as the codec reads them (times in milliseconds).
macro_rules! delivery_columns {
    () => {
        "id, event_id, event, endpoint, url, payload::text AS payload, status, \
         attempts::BIGINT AS attempts, \
         (EXTRACT(EPOCH FROM next_attempt_at) * 1000)::BIGINT AS next_attempt_at_ms, \
         (EXTRACT(EPOCH FROM created_at) * 1000)::BIGINT AS created_at_ms, \
         (EXTRACT(EPOCH FROM delivered_at) * 1000)::BIGINT AS delivered_at_ms, last_error"
    };
}

const SELECT: &str = concat!("SELECT ", delivery_columns!(), " FROM webhook_deliveries");

const SELECT_ATTEMPTS: &str = "SELECT delivery_id, attempt::BIGINT AS attempt, \
     (EXTRACT(EPOCH FROM started_at) * 1000)::BIGINT AS started_at_ms, duration_ms, \
     status_code::BIGINT AS status_code, error FROM webhook_attempts";

/// Takes up to `limit` pending deliveries due at `now` whose lease (if any)
/// ran out, oldest due first, and leases them until `lease_until`. Rows
/// another transaction is claiming are skipped, not waited for; a row it
/// already claimed fails the re-checked condition. So two dispatchers
/// (tasks or processes) never take the same delivery.
pub(crate) async fn claim_due(
    pool: &PgPool,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<DeliveryRecord>> {
    const CLAIM: &str = concat!(
        "WITH due AS (SELECT id AS due_id FROM webhook_deliveries \
           WHERE status = 'pending' AND next_attempt_at <= ",
        ms!(2),
        " AND (lease_until IS NULL OR lease_until <= ",
        ms!(2),
        ") ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
         UPDATE webhook_deliveries SET lease_until = ",
        ms!(1),
        " FROM due WHERE id = due_id RETURNING ",
        delivery_columns!()
    );
    let rows: Vec<PgRow> = sqlx::query(CLAIM)
        .bind(lease_until.unix_ms())
        .bind(now.unix_ms())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(|e| map_sqlx("claim due webhook deliveries", e))?;
    let mut claimed = rows
        .iter()
        .map(|row| DeliveryColumns::from_row(row)?.decode())
        .collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|d| (d.next_attempt_at, d.id));
    Ok(claimed)
}

/// Records `attempt` and moves its delivery on as `change` says, releasing
/// the lease, in one transaction. The row lock taken by the `UPDATE` makes
/// a racing recorder of the same attempt wait, then miss its condition.
pub(crate) async fn record_attempt(pool: &PgPool, change: &AttemptChange) -> Result<()> {
    const UPDATE: &str = concat!(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $1, status = $2, \
         next_attempt_at = COALESCE(",
        ms!(3),
        ", next_attempt_at), delivered_at = ",
        ms!(4),
        ", lease_until = NULL \
         WHERE id = $5 AND status = 'pending' AND attempts = $6::BIGINT"
    );
    const INSERT_ATTEMPT: &str = concat!(
        "INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, \
         status_code, error) VALUES ($1, $2::INTEGER, ",
        ms!(3),
        ", $4, $5::INTEGER, $6)"
    );
    let a = &change.attempt;
    let mut tx =
        super::pooled_begin::begin(pool, None, "begin recording a webhook attempt").await?;
    let updated = sqlx::query(UPDATE)
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
    sqlx::query(INSERT_ATTEMPT)
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

pub(crate) async fn get<'e>(db: impl PgExecutor<'e>, id: &str) -> Result<Option<DeliveryRecord>> {
    let sql = format!("{SELECT} WHERE id = $1");
    let row: Option<PgRow> = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx(&format!("read webhook delivery {id}"), e))?;
    row.map(|row| DeliveryColumns::from_row(&row)?.decode())
        .transpose()
}

pub(crate) async fn list<'e>(
    db: impl PgExecutor<'e>,
    filter: &DeliveryFilter,
) -> Result<Page<DeliveryRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!("{SELECT} WHERE TRUE"));
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
    db: impl PgExecutor<'e>,
    id: &str,
) -> Result<Vec<DeliveryAttempt>> {
    let sql = format!("{SELECT_ATTEMPTS} WHERE delivery_id = $1 ORDER BY attempt");
    let rows: Vec<PgRow> = sqlx::query(&sql)
        .bind(id)
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx(&format!("list the attempts at webhook delivery {id}"), e))?;
    rows.iter()
        .map(|row| AttemptColumns::from_row(row)?.decode())
        .collect()
}
