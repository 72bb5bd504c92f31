//! [`ReviewStore`] for [`Store`]: review tasks on either backend.
//!
//! A task is created with its run through the group committer (one
//! transaction, shared with other runs). Updates lock the task: on
//! PostgreSQL with `SELECT ... FOR UPDATE` on a pooled connection, on
//! SQLite with `BEGIN IMMEDIATE` on the dedicated locking connection.

use airlock_core::{Result, ReviewId, ReviewTask, RunRecord};
use async_trait::async_trait;

use crate::review_codec::NewReviewColumns;
use crate::review_traits::{NewReview, ReviewDecider, ReviewFilter, ReviewStore};
use crate::store::{Reads, Store};
use crate::traits::{Inserted, Page};
use crate::{postgres, sqlite};

#[async_trait]
impl ReviewStore for Store {
    async fn insert_run_with_review(&self, run: RunRecord, review: NewReview) -> Result<Inserted> {
        let review = NewReviewColumns::encode(&run, review)?;
        self.inner
            .committer
            .insert_run(run, None, Some(review))
            .await
    }

    async fn get_review(&self, id: ReviewId) -> Result<Option<ReviewTask>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::get_review(pool, id).await,
            Reads::Postgres(pool) => postgres::get_review(pool, id).await,
        }
    }

    async fn list_reviews(&self, filter: &ReviewFilter) -> Result<Page<ReviewTask>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::list_reviews(pool, filter).await,
            Reads::Postgres(pool) => postgres::list_reviews(pool, filter).await,
        }
    }

    async fn update_review(&self, id: ReviewId, decide: ReviewDecider) -> Result<ReviewTask> {
        match &self.inner.reads {
            Reads::Sqlite(_) => sqlite::update_review(self.sqlite_locked()?, id, decide).await,
            Reads::Postgres(pool) => postgres::update_review(pool, id, decide).await,
        }
    }
}
