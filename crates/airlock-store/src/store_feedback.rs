//! [`FeedbackStore`] for [`Store`]: feedback on either backend.
//!
//! NOT BUILT YET: every method fails with `internal` until the backend
//! queries land (being written in this session).

use airlock_core::{Error, FeedbackRecord, Result};
use async_trait::async_trait;

use crate::review_traits::{FeedbackFilter, FeedbackInserted, FeedbackStore};
use crate::store::Store;
use crate::traits::Page;

fn not_built(what: &str) -> Error {
    Error::internal(format!("{what} is not built yet"))
}

#[async_trait]
impl FeedbackStore for Store {
    async fn insert_feedback(&self, _record: FeedbackRecord) -> Result<FeedbackInserted> {
        Err(not_built("insert_feedback"))
    }

    async fn list_feedback(&self, _filter: &FeedbackFilter) -> Result<Page<FeedbackRecord>> {
        Err(not_built("list_feedback"))
    }
}
