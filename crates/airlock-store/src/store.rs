//! [`Store`]: the handle the rest of Airlock uses. It connects to the
//! database named by a URL, runs migrations, starts the group committer
//! and implements [`RunStore`] and [`QuarantineStore`] for either backend.
//!
//! The two backends are dispatched with an `enum` (not trait objects):
//! there are exactly two, both always compiled in, and a `match` keeps each
//! call a direct call.

use std::sync::Arc;

use airlock_core::{Durability, QuarantineRecord, Result, RunId, RunRecord};
use async_trait::async_trait;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::connect_url::ConnectUrl;
use crate::group_commit::GroupCommitter;
use crate::group_commit_stats::{GroupCommitSnapshot, GroupCommitStats};
use crate::sql_error::map_sqlx;
use crate::traits::{Inserted, Page, QuarantineFilter, QuarantineStore, RunFilter, RunStore};
use crate::{postgres, sqlite};

/// Which database a [`Store`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Tuning knobs; [`StoreOptions::default`] fits a single server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    pub durability: Durability,
    /// Most records committed in one transaction.
    pub max_batch_size: usize,
    /// Connections used for reads.
    pub read_pool_size: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            durability: Durability::Fsync,
            max_batch_size: 256,
            read_pool_size: 4,
        }
    }
}

/// The write connection's durability setting, as the database reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurabilityReport {
    pub backend: Backend,
    pub durability: Durability,
    /// e.g. `synchronous=full` (SQLite) or `synchronous_commit=on` (PostgreSQL).
    pub setting: String,
}

/// A connected run store; cheap to clone, all clones share one writer.
/// The writer stops when the last clone is dropped or [`Store::close`] runs.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) backend: Backend,
    pub(crate) durability: Durability,
    pub(crate) reads: Reads,
    pub(crate) committer: GroupCommitter,
    pub(crate) stats: Arc<GroupCommitStats>,
    /// SQLite only: the connection for locking read-modify-write
    /// transactions (PostgreSQL runs those on the read pool).
    pub(crate) sqlite_locked: Option<sqlite::LockedWriter>,
}

pub(crate) enum Reads {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Store {
    /// Connects with default options at `durability`; see [`Store::connect_with`].
    pub async fn connect(url: &str, durability: Durability) -> Result<Store> {
        Store::connect_with(
            url,
            StoreOptions {
                durability,
                ..StoreOptions::default()
            },
        )
        .await
    }

    /// Connects to `sqlite://PATH` (created if missing, WAL mode) or
    /// `postgres://...`, brings the schema up to date and starts the group
    /// committer. Must be called inside a tokio runtime.
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store> {
        let stats = Arc::new(GroupCommitStats::default());
        let (backend, writer, reads, sqlite_locked) = match ConnectUrl::parse(url)? {
            ConnectUrl::Sqlite { path } => {
                let (writer, pool, locked) =
                    sqlite::connect(&path, options.durability, options.read_pool_size).await?;
                (Backend::Sqlite, writer, Reads::Sqlite(pool), Some(locked))
            }
            ConnectUrl::Postgres { url } => {
                let (writer, pool) =
                    postgres::connect(&url, options.durability, options.read_pool_size).await?;
                (Backend::Postgres, writer, Reads::Postgres(pool), None)
            }
        };
        let committer = GroupCommitter::spawn(writer, options.max_batch_size, stats.clone());
        Ok(Store {
            inner: Arc::new(Inner {
                backend,
                durability: options.durability,
                reads,
                committer,
                stats,
                sqlite_locked,
            }),
        })
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    pub fn durability(&self) -> Durability {
        self.inner.durability
    }

    /// SQLite: the dedicated connection for locking read-modify-write
    /// transactions (see `sqlite::LockedWriter`).
    pub(crate) fn sqlite_locked(&self) -> Result<&sqlite::LockedWriter> {
        self.inner.sqlite_locked.as_ref().ok_or_else(|| {
            airlock_core::Error::internal("the SQLite locking connection is missing")
        })
    }

    /// Group-commit counters since connect.
    pub fn group_commit_stats(&self) -> GroupCommitSnapshot {
        self.inner.stats.snapshot()
    }

    /// Asks the write connection for its actual durability setting.
    pub async fn durability_report(&self) -> Result<DurabilityReport> {
        Ok(DurabilityReport {
            backend: self.inner.backend,
            durability: self.inner.durability,
            setting: self.inner.committer.durability_setting().await?,
        })
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        let result = match &self.inner.reads {
            Reads::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Reads::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        };
        result.map_err(|e| map_sqlx("ping the database", e))
    }

    /// Commits everything already queued, then closes the write connection
    /// and the read pool. Later calls on any clone fail with `Unavailable`.
    pub async fn close(&self) {
        self.inner.committer.shutdown().await;
        if let Some(locked) = &self.inner.sqlite_locked {
            locked.close().await;
        }
        match &self.inner.reads {
            Reads::Sqlite(pool) => pool.close().await,
            Reads::Postgres(pool) => pool.close().await,
        }
    }
}

#[async_trait]
impl RunStore for Store {
    async fn insert(&self, run: RunRecord) -> Result<Inserted> {
        self.inner.committer.insert_run(run).await
    }

    async fn get(&self, id: RunId) -> Result<Option<RunRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::get(pool, id).await,
            Reads::Postgres(pool) => postgres::get(pool, id).await,
        }
    }

    async fn find_by_idempotency_key(
        &self,
        workflow: &str,
        key: &str,
    ) -> Result<Option<RunRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::find_by_idempotency_key(pool, workflow, Some(key)).await,
            Reads::Postgres(pool) => {
                postgres::find_by_idempotency_key(pool, workflow, Some(key)).await
            }
        }
    }

    async fn list(&self, filter: &RunFilter) -> Result<Page<RunRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::list(pool, filter).await,
            Reads::Postgres(pool) => postgres::list(pool, filter).await,
        }
    }
}

#[async_trait]
impl QuarantineStore for Store {
    async fn insert_quarantine(&self, record: QuarantineRecord) -> Result<()> {
        self.inner.committer.insert_quarantine(record).await
    }

    async fn list_quarantine(&self, filter: &QuarantineFilter) -> Result<Page<QuarantineRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::list_quarantine(pool, filter).await,
            Reads::Postgres(pool) => postgres::list_quarantine(pool, filter).await,
        }
    }
}
