//! The webhook outbox on SQLite.
//!
//! NOT BUILT YET: being written in this session.

use airlock_core::{DeliveryRecord, Error, Result};
use sqlx::sqlite::SqliteConnection;

/// Inserts one pending delivery inside the caller's transaction (used when
/// a run's review task is created and when a task changes).
pub(crate) async fn insert_delivery(
    _conn: &mut SqliteConnection,
    delivery: &DeliveryRecord,
) -> Result<()> {
    Err(Error::internal(format!(
        "webhook delivery {} cannot be stored yet: the outbox is not built",
        delivery.id
    )))
}
