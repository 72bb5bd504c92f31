//! [`QualityStore`] for [`Store`]: quality aggregates on either backend,
//! computed by the database (`GROUP BY`), never by loading rows.

use airlock_core::{Result, Timestamp};
use async_trait::async_trait;

use crate::review_traits::{QualityCounts, QualityStore};
use crate::store::{Reads, Store};
use crate::{postgres, sqlite};

#[async_trait]
impl QualityStore for Store {
    async fn quality_counts(
        &self,
        workflow: &str,
        since: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<QualityCounts> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::quality::counts(pool, workflow, since, now).await,
            Reads::Postgres(pool) => postgres::quality::counts(pool, workflow, since, now).await,
        }
    }
}
