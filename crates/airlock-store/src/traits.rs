//! The storage interfaces the workflow runtime and the HTTP API use, and
//! their request/response types.
//!
//! The traits are object-safe (`async_trait`) so the runtime can hold an
//! `Arc<dyn RunStore>` and its tests can substitute an in-memory fake; the
//! one real implementation, [`crate::Store`], dispatches to SQLite or
//! PostgreSQL with a plain `enum`, since those two are known at compile time.

use airlock_core::{Decision, QuarantineRecord, Result, RunId, RunRecord, Timestamp};
use async_trait::async_trait;

/// What [`RunStore::insert`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted {
    /// The run was committed as given.
    Created(Box<RunRecord>),
    /// A run with the same workflow and idempotency key was already
    /// committed; this is that run, and the given one was not stored.
    Existing(Box<RunRecord>),
}

impl Inserted {
    /// The run as stored (the new one or the earlier one).
    pub fn run(&self) -> &RunRecord {
        match self {
            Inserted::Created(run) | Inserted::Existing(run) => run,
        }
    }

    pub fn into_run(self) -> RunRecord {
        match self {
            Inserted::Created(run) | Inserted::Existing(run) => *run,
        }
    }

    pub fn is_existing(&self) -> bool {
        matches!(self, Inserted::Existing(_))
    }
}

/// Which runs [`RunStore::list`] returns; every field narrows the result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunFilter {
    pub workflow: Option<String>,
    /// Only runs of these workflows (what the caller may read); empty
    /// matches nothing.
    pub workflows: Option<Vec<String>>,
    pub decision: Option<Decision>,
    /// Only runs created at or after this instant.
    pub since: Option<Timestamp>,
    /// Page size; `None` means [`crate::DEFAULT_PAGE_LIMIT`].
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Which quarantined inputs [`QuarantineStore::list`] returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuarantineFilter {
    pub workflow: Option<String>,
    /// Only records of these workflows; empty matches nothing.
    pub workflows: Option<Vec<String>>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// One page of results, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass this as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A run to commit with what goes in its transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    /// As stored and shown: its payloads already redacted.
    pub run: RunRecord,
    /// The unredacted payload (`{"input", "steps", "output"}`) when the
    /// workflow keeps it; stored encrypted, read only with
    /// [`RunStore::get_raw`].
    pub raw: Option<serde_json::Value>,
    /// A review task created with the run (decision `review`).
    pub review: Option<crate::NewReview>,
}

/// Durable runs.
#[async_trait]
pub trait RunStore: Send + Sync {
    /// Commits `run` and returns only once it is durable at the store's
    /// durability level. If the run has an idempotency key and a run of the
    /// same workflow with that key exists, nothing is written and that run
    /// is returned as [`Inserted::Existing`], also under concurrent inserts.
    /// A created run is appended to the audit chain in the same transaction.
    async fn insert(&self, run: RunRecord) -> Result<Inserted>;

    /// Like [`RunStore::insert`], with the run's raw payload and review
    /// task (written only if the run is created).
    async fn insert_new_run(&self, new: NewRun) -> Result<Inserted>;

    /// The run with this id, or `None`.
    async fn get(&self, id: RunId) -> Result<Option<RunRecord>>;

    /// The run's unredacted payload, if it was kept (and not purged).
    async fn get_raw(&self, id: RunId) -> Result<Option<serde_json::Value>>;

    /// The run of `workflow` that was inserted with idempotency `key`.
    async fn find_by_idempotency_key(&self, workflow: &str, key: &str)
        -> Result<Option<RunRecord>>;

    /// Runs matching `filter`, newest first, one page at a time.
    async fn list(&self, filter: &RunFilter) -> Result<Page<RunRecord>>;
}

/// Inputs that failed their workflow's input contract.
#[async_trait]
pub trait QuarantineStore: Send + Sync {
    /// Commits the record before returning (group-committed like runs).
    async fn insert_quarantine(&self, record: QuarantineRecord) -> Result<()>;

    /// Like [`QuarantineStore::insert_quarantine`], also keeping the input
    /// as received (encrypted) when redaction changed the stored one.
    async fn insert_quarantine_with_raw(
        &self,
        record: QuarantineRecord,
        raw_input: Option<serde_json::Value>,
    ) -> Result<()>;

    /// Quarantined inputs, newest first, one page at a time.
    async fn list_quarantine(&self, filter: &QuarantineFilter) -> Result<Page<QuarantineRecord>>;
}
