//! The storage interfaces of identity and governance: API keys, and the
//! tamper-evident audit chain with its signed checkpoints.
//!
//! Every change to keys is committed together with its audit record;
//! runs, quarantined inputs and review changes append theirs through their
//! own write paths (see `group_commit.rs` and `ReviewUpdate::audit`), so
//! nothing is ever recorded without its audit record or the other way
//! round.

use airlock_core::{ApiKeyRecord, AuditCheckpoint, AuditEvent, AuditRecord, Result, Timestamp};
use async_trait::async_trait;

use crate::traits::Page;

/// Which audit records [`AuditStore::list_audit`] returns, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Only records after this `seq` (the previous page's `next_cursor`).
    pub after: Option<u64>,
    /// An event word, e.g. `access.denied`.
    pub event: Option<String>,
    /// e.g. `run:01K…`.
    pub subject: Option<String>,
    pub workflow: Option<String>,
    /// Only records at or after this instant.
    pub since: Option<Timestamp>,
    pub limit: Option<u32>,
}

/// The chain's head as the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// The last record's `seq` (0 when empty).
    pub seq: u64,
    pub hash: String,
}

/// The audit chain.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends `events`, in order, and returns once they are durable.
    async fn append_audit(&self, events: Vec<AuditEvent>) -> Result<Vec<AuditRecord>>;

    /// Records matching `filter`, oldest first; `next_cursor` is a `seq`.
    async fn list_audit(&self, filter: &AuditFilter) -> Result<Page<AuditRecord>>;

    /// Up to `limit` records with `seq >= from`, in `seq` order, exactly as
    /// stored (for verification).
    async fn audit_range(&self, from: u64, limit: u32) -> Result<Vec<AuditRecord>>;

    async fn audit_head(&self) -> Result<AuditHead>;

    /// Stores a checkpoint; `false` if one at its `seq` already exists
    /// (another process signed it first).
    async fn insert_checkpoint(&self, checkpoint: AuditCheckpoint) -> Result<bool>;

    /// Every checkpoint, by `seq`.
    async fn list_checkpoints(&self) -> Result<Vec<AuditCheckpoint>>;

    /// The newest checkpoint, if any.
    async fn latest_checkpoint(&self) -> Result<Option<AuditCheckpoint>>;
}

/// API keys (their hashes and metadata).
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Stores a new key and its `key.created` record in one transaction.
    async fn insert_key(&self, key: ApiKeyRecord, audit: AuditEvent) -> Result<()>;

    /// Like [`KeyStore::insert_key`] but only if no key exists at all
    /// (the first start's admin key); `false` if there already was one.
    /// Atomic across processes sharing the database.
    async fn insert_first_key(&self, key: ApiKeyRecord, audit: AuditEvent) -> Result<bool>;

    async fn get_key(&self, id: &str) -> Result<Option<ApiKeyRecord>>;

    /// Every key, newest first.
    async fn list_keys(&self) -> Result<Vec<ApiKeyRecord>>;

    /// Marks key `id` revoked at `at` by `by`, with its `key.revoked`
    /// record, and returns it; `not_found` if there is no such key,
    /// `conflict` if it was already revoked.
    async fn revoke_key(
        &self,
        id: &str,
        at: Timestamp,
        by: &str,
        audit: AuditEvent,
    ) -> Result<ApiKeyRecord>;
}
