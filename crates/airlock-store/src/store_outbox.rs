//! [`OutboxStore`] for [`Store`]: the webhook outbox on either backend.
//!
//! NOT BUILT YET: every method fails with `internal` until the backend
//! queries land (being written in this session).

use std::time::Duration;

use airlock_core::{DeliveryAttempt, DeliveryId, DeliveryRecord, Error, Result, Timestamp};
use async_trait::async_trait;

use crate::review_traits::{DeliveryFilter, DeliveryNext, OutboxStore};
use crate::store::Store;
use crate::traits::Page;

fn not_built(what: &str) -> Error {
    Error::internal(format!("{what} is not built yet"))
}

#[async_trait]
impl OutboxStore for Store {
    async fn claim_due_deliveries(
        &self,
        _now: Timestamp,
        _lease: Duration,
        _limit: u32,
    ) -> Result<Vec<DeliveryRecord>> {
        Err(not_built("claim_due_deliveries"))
    }

    async fn record_attempt(&self, _attempt: DeliveryAttempt, _next: DeliveryNext) -> Result<()> {
        Err(not_built("record_attempt"))
    }

    async fn get_delivery(&self, _id: DeliveryId) -> Result<Option<DeliveryRecord>> {
        Err(not_built("get_delivery"))
    }

    async fn list_deliveries(&self, _filter: &DeliveryFilter) -> Result<Page<DeliveryRecord>> {
        Err(not_built("list_deliveries"))
    }

    async fn list_attempts(&self, _id: DeliveryId) -> Result<Vec<DeliveryAttempt>> {
        Err(not_built("list_attempts"))
    }
}
