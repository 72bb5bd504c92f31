//! [`QualityStore`] for [`Store`]: quality aggregates on either backend.
//!
//! NOT BUILT YET: fails with `internal` until the backend queries land
//! (being written in this session).

use airlock_core::{Error, Result, Timestamp};
use async_trait::async_trait;

use crate::review_traits::{QualityCounts, QualityStore};
use crate::store::Store;

#[async_trait]
impl QualityStore for Store {
    async fn quality_counts(
        &self,
        _workflow: &str,
        _since: Option<Timestamp>,
        _now: Timestamp,
    ) -> Result<QualityCounts> {
        Err(Error::internal("quality_counts is not built yet"))
    }
}
