//! [`FeedbackStore`] for [`Store`]: feedback on either backend. Feedback is
//! not group-committed: it is rare next to runs, and its idempotent insert
//! needs the stored row back. PostgreSQL writes through the pool; SQLite
//! through the dedicated locking connection the review updates use.

use airlock_core::{Error, FeedbackRecord, Result};
use async_trait::async_trait;

use crate::review_traits::{FeedbackFilter, FeedbackInserted, FeedbackStore};
use crate::store::{Reads, Store};
use crate::traits::Page;
use crate::{postgres, sqlite};

#[async_trait]
impl FeedbackStore for Store {
    async fn insert_feedback(&self, record: FeedbackRecord) -> Result<FeedbackInserted> {
        match &self.inner.reads {
            Reads::Sqlite(_) => sqlite::feedback::insert(self.sqlite_locked()?, record).await,
            Reads::Postgres(pool) => postgres::feedback::insert(pool, record).await,
        }
    }

    async fn list_feedback(&self, filter: &FeedbackFilter) -> Result<Page<FeedbackRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::feedback::list(pool, filter).await,
            Reads::Postgres(pool) => postgres::feedback::list(pool, filter).await,
        }
    }
}

/// An insert that lost the race for its key, yet finds no row holding it.
pub(crate) fn vanished_key(record: &FeedbackRecord) -> Error {
    Error::internal(format!(
        "feedback with key `{}` for run {} was neither inserted nor found",
        record.key, record.run_id
    ))
}
