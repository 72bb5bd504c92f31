//! [`OutboxStore`] for [`Store`]: the webhook outbox on either backend.
//! Claims and attempts are written directly (PostgreSQL through the pool,
//! SQLite through the dedicated locking connection), never through the
//! group committer, which only appends.

use std::time::Duration;

use airlock_core::{DeliveryAttempt, DeliveryId, DeliveryRecord, Error, Result, Timestamp};
use async_trait::async_trait;

use crate::outbox_codec::AttemptChange;
use crate::review_traits::{DeliveryFilter, DeliveryNext, OutboxStore};
use crate::store::{Reads, Store};
use crate::traits::Page;
use crate::{postgres, sqlite};

#[async_trait]
impl OutboxStore for Store {
    async fn claim_due_deliveries(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>> {
        let lease_until = lease_end(now, lease)?;
        if limit == 0 {
            return Ok(Vec::new());
        }
        match &self.inner.reads {
            Reads::Sqlite(_) => {
                sqlite::outbox::claim_due(self.sqlite_locked()?, now, lease_until, limit).await
            }
            Reads::Postgres(pool) => {
                postgres::outbox::claim_due(pool, now, lease_until, limit).await
            }
        }
    }

    async fn record_attempt(&self, attempt: DeliveryAttempt, next: DeliveryNext) -> Result<()> {
        let change = AttemptChange::new(&attempt, next)?;
        match &self.inner.reads {
            Reads::Sqlite(_) => {
                sqlite::outbox::record_attempt(self.sqlite_locked()?, &change).await
            }
            Reads::Postgres(pool) => postgres::outbox::record_attempt(pool, &change).await,
        }
    }

    async fn get_delivery(&self, id: DeliveryId) -> Result<Option<DeliveryRecord>> {
        let id = id.to_string();
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::outbox::get(pool, &id).await,
            Reads::Postgres(pool) => postgres::outbox::get(pool, &id).await,
        }
    }

    async fn list_deliveries(&self, filter: &DeliveryFilter) -> Result<Page<DeliveryRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::outbox::list(pool, filter).await,
            Reads::Postgres(pool) => postgres::outbox::list(pool, filter).await,
        }
    }

    async fn list_attempts(&self, id: DeliveryId) -> Result<Vec<DeliveryAttempt>> {
        let id = id.to_string();
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::outbox::list_attempts(pool, &id).await,
            Reads::Postgres(pool) => postgres::outbox::list_attempts(pool, &id).await,
        }
    }
}

/// When a claim taken at `now` for `lease` runs out; the lease must be at
/// least a millisecond (the stored precision).
fn lease_end(now: Timestamp, lease: Duration) -> Result<Timestamp> {
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    if lease_ms < 1 {
        return Err(Error::invalid_input(format!(
            "a delivery lease of {lease:?} is shorter than a millisecond"
        ))
        .with_field("lease")
        .with_hint("lease deliveries for longer than one send may take"));
    }
    Timestamp::from_unix_ms(now.unix_ms().saturating_add(lease_ms))
        .map_err(|e| e.with_field("lease"))
}
