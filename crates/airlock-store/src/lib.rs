//! Airlock's durable run store: runs and quarantined inputs on SQLite (the
//! default, WAL) or PostgreSQL, behind the [`RunStore`] and
//! [`QuarantineStore`] traits.
//!
//! A run is acknowledged only after its record is committed. Concurrent
//! inserts are group-committed: one writer task drains whatever is queued
//! and commits it in one transaction (one fsync), then answers every waiter.
//! Reads go through a connection pool and never wait for the writer.
//!
//! ```text
//! Store::connect("sqlite://airlock-data/airlock.db", Durability::Fsync)
//! Store::connect("postgres://user@host/db", Durability::Process)
//! ```
//! See `docs/storage.md` for the schema and the durability semantics.

mod audit_append;
mod audit_codec;
mod audit_events;
pub mod audit_signing;
mod audit_traits;
mod audit_verify;
pub mod cipher;
mod codec;
mod commit_priority;
mod connect_url;
mod cursor;
mod group_commit;
mod group_commit_stats;
mod key_codec;
mod key_errors;
mod keyset;
pub mod metrics_names;
mod migrations;
mod outbox_codec;
mod postgres;
mod quality_codec;
mod retention;
mod review_change;
mod review_codec;
mod review_cursor;
mod review_traits;
mod sql_error;
mod sqlite;
mod store;
mod store_audit;
mod store_feedback;
mod store_outbox;
mod store_quality;
mod store_review;
mod store_usage;
mod traits;
mod usage_traits;

pub use audit_signing::{CheckpointSigner, CheckpointVerifier};
pub use audit_traits::{AuditFilter, AuditHead, AuditStore, KeyStore};
pub use audit_verify::verify_chain;
pub use cipher::{PayloadCipher, PayloadKey};
pub use cursor::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};
pub use group_commit_stats::{GroupCommitSnapshot, GroupCommitStats};
pub use retention::Purged;
pub use review_traits::{
    Backlog, DecisionCount, DeliveryFilter, DeliveryNext, FeedbackFilter, FeedbackInserted,
    FeedbackStore, FeedbackSummary, LabelPairCount, NewReview, OutboxStore, QualityCounts,
    QualityStore, ReviewCount, ReviewDecider, ReviewFilter, ReviewStore, ReviewUpdate,
};
pub use store::{Backend, DurabilityReport, Store, StoreOptions};
pub use traits::{Inserted, NewRun, Page, QuarantineFilter, QuarantineStore, RunFilter, RunStore};
pub use usage_traits::{UsageGroup, UsageRow, UsageStore};
