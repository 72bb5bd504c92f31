//! [`Store`]: the handle the rest of Airlock uses. It connects to the
//! database named by a URL, runs migrations, starts the group committer
//! and implements [`RunStore`] and [`QuarantineStore`] for either backend.
//!
//! The two backends are dispatched with an `enum` (not trait objects):
//! there are exactly two, both always compiled in, and a `match` keeps each
//! call a direct call.

use std::sync::Arc;

use airlock_core::{CommitPriority, Durability, QuarantineRecord, Result, RunId, RunRecord};

use crate::cipher::PayloadCipher;
use async_trait::async_trait;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::connect_url::ConnectUrl;
use crate::group_commit::GroupCommitter;
use crate::group_commit_stats::{GroupCommitSnapshot, GroupCommitStats};
use crate::review_codec::NewReviewColumns;
use crate::sql_error::map_sqlx;
use crate::traits::{
    Inserted, NewRun, Page, QuarantineFilter, QuarantineStore, RunFilter, RunStore,
};
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
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub durability: Durability,
    /// Most records committed in one transaction.
    pub max_batch_size: usize,
    /// Connections used for reads.
    pub read_pool_size: u32,
    /// Encrypts payload columns at rest (default: none, plaintext).
    pub cipher: Arc<PayloadCipher>,
    /// How SQLite's group-commit thread is scheduled (PostgreSQL's writer
    /// runs on the caller's runtime and ignores it).
    pub commit_priority: CommitPriority,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            durability: Durability::Fsync,
            max_batch_size: 256,
            read_pool_size: 4,
            cipher: Arc::new(PayloadCipher::plaintext()),
            commit_priority: CommitPriority::Normal,
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
    pub(crate) cipher: Arc<PayloadCipher>,
    /// SQLite only: the connection for locking read-modify-write
    /// transactions (PostgreSQL runs those on the read pool).
    pub(crate) sqlite_locked: Option<sqlite::LockedWriter>,
    /// SQLite only: checkpoints the WAL in the background.
    pub(crate) sqlite_checkpointer: Option<sqlite::Checkpointer>,
    /// SQLite only: reads API keys on the caller's thread.
    pub(crate) sqlite_keys: Option<sqlite::KeyReader>,
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
        let (backend, writer, reads, sqlite_locked, sqlite_checkpointer, sqlite_keys) =
            match ConnectUrl::parse(url)? {
                ConnectUrl::Sqlite { path } => {
                    let connected = sqlite::connect(
                        &path,
                        options.durability,
                        options.read_pool_size,
                        options.cipher.clone(),
                    )
                    .await?;
                    (
                        Backend::Sqlite,
                        connected.writer,
                        Reads::Sqlite(connected.pool),
                        Some(connected.locked),
                        Some(connected.checkpointer),
                        Some(connected.keys),
                    )
                }
                ConnectUrl::Postgres { url } => {
                    let (writer, pool) = postgres::connect(
                        &url,
                        options.durability,
                        options.read_pool_size,
                        options.cipher.clone(),
                    )
                    .await?;
                    (
                        Backend::Postgres,
                        writer,
                        Reads::Postgres(pool),
                        None,
                        None,
                        None,
                    )
                }
            };
        let committer = GroupCommitter::spawn(
            writer,
            options.max_batch_size,
            stats.clone(),
            options.cipher.clone(),
            options.commit_priority,
        )?;
        Ok(Store {
            inner: Arc::new(Inner {
                backend,
                durability: options.durability,
                reads,
                committer,
                stats,
                cipher: options.cipher,
                sqlite_locked,
                sqlite_checkpointer,
                sqlite_keys,
            }),
        })
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    pub fn durability(&self) -> Durability {
        self.inner.durability
    }

    /// The key ring payloads are sealed with.
    pub fn cipher(&self) -> &PayloadCipher {
        &self.inner.cipher
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

    /// Purges the payloads of `workflow`'s runs and quarantined inputs
    /// created before `before`, with their `payloads.purged` audit record,
    /// in one transaction (see `retention.rs`).
    pub async fn purge_payloads(
        &self,
        workflow: &str,
        before: airlock_core::Timestamp,
        now: airlock_core::Timestamp,
    ) -> Result<crate::retention::Purged> {
        match &self.inner.reads {
            Reads::Sqlite(_) => {
                sqlite::runs::purge(self.sqlite_locked()?, workflow, before, now).await
            }
            Reads::Postgres(pool) => postgres::runs::purge(pool, workflow, before, now).await,
        }
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
        if let Some(checkpointer) = &self.inner.sqlite_checkpointer {
            checkpointer.close().await;
        }
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
        self.inner.committer.insert_run(run, None, None).await
    }

    async fn insert_new_run(&self, new: NewRun) -> Result<Inserted> {
        let review = match new.review {
            Some(review) => Some(NewReviewColumns::encode(&new.run, review)?),
            None => None,
        };
        let raw = new
            .raw
            .as_ref()
            .map(|raw| crate::codec::to_json(raw, "raw"))
            .transpose()?;
        self.inner.committer.insert_run(new.run, raw, review).await
    }

    async fn get(&self, id: RunId) -> Result<Option<RunRecord>> {
        let cipher = &self.inner.cipher;
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::get(pool, id, cipher).await,
            Reads::Postgres(pool) => postgres::get(pool, id, cipher).await,
        }
    }

    async fn get_raw(&self, id: RunId) -> Result<Option<serde_json::Value>> {
        let stored = match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::runs::raw_payload(pool, id).await?,
            Reads::Postgres(pool) => postgres::runs::raw_payload(pool, id).await?,
        };
        let id = id.to_string();
        stored
            .map(|text| {
                let aad = crate::cipher::aad("runs", "raw_payload", &id);
                let plain = self
                    .inner
                    .cipher
                    .open(text, &aad)
                    .map_err(|e| crate::codec::corrupt("runs", &id, "raw_payload", e))?;
                crate::codec::from_json(&plain)
                    .map_err(|e| crate::codec::corrupt("runs", &id, "raw_payload", e))
            })
            .transpose()
    }

    async fn find_by_idempotency_key(
        &self,
        workflow: &str,
        key: &str,
    ) -> Result<Option<RunRecord>> {
        let cipher = &self.inner.cipher;
        match &self.inner.reads {
            Reads::Sqlite(pool) => {
                sqlite::find_by_idempotency_key(pool, workflow, Some(key), cipher).await
            }
            Reads::Postgres(pool) => {
                postgres::find_by_idempotency_key(pool, workflow, Some(key), cipher).await
            }
        }
    }

    async fn list(&self, filter: &RunFilter) -> Result<Page<RunRecord>> {
        let cipher = &self.inner.cipher;
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::list(pool, filter, cipher).await,
            Reads::Postgres(pool) => postgres::list(pool, filter, cipher).await,
        }
    }
}

#[async_trait]
impl QuarantineStore for Store {
    async fn insert_quarantine(&self, record: QuarantineRecord) -> Result<()> {
        self.inner.committer.insert_quarantine(record, None).await
    }

    async fn insert_quarantine_with_raw(
        &self,
        record: QuarantineRecord,
        raw_input: Option<serde_json::Value>,
    ) -> Result<()> {
        let raw = raw_input
            .as_ref()
            .map(|raw| crate::codec::to_json(raw, "raw_input"))
            .transpose()?;
        self.inner.committer.insert_quarantine(record, raw).await
    }

    async fn list_quarantine(&self, filter: &QuarantineFilter) -> Result<Page<QuarantineRecord>> {
        let cipher = &self.inner.cipher;
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::list_quarantine(pool, filter, cipher).await,
            Reads::Postgres(pool) => postgres::list_quarantine(pool, filter, cipher).await,
        }
    }
}
