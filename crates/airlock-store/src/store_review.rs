//! [`ReviewStore`] for [`Store`]: review tasks on either backend.
//!
//! NOT BUILT YET: every method fails with `internal` until the backend
//! queries land (being written in this session).

use airlock_core::{Error, Result, ReviewId, ReviewTask, RunRecord};
use async_trait::async_trait;

use crate::review_traits::{NewReview, ReviewDecider, ReviewFilter, ReviewStore};
use crate::store::Store;
use crate::traits::{Inserted, Page};

fn not_built(what: &str) -> Error {
    Error::internal(format!("{what} is not built yet"))
}

#[async_trait]
impl ReviewStore for Store {
    async fn insert_run_with_review(
        &self,
        _run: RunRecord,
        _review: NewReview,
    ) -> Result<Inserted> {
        Err(not_built("insert_run_with_review"))
    }

    async fn get_review(&self, _id: ReviewId) -> Result<Option<ReviewTask>> {
        Err(not_built("get_review"))
    }

    async fn list_reviews(&self, _filter: &ReviewFilter) -> Result<Page<ReviewTask>> {
        Err(not_built("list_reviews"))
    }

    async fn update_review(&self, _id: ReviewId, _decide: ReviewDecider) -> Result<ReviewTask> {
        Err(not_built("update_review"))
    }
}
