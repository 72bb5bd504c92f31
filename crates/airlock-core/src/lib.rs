//! Airlock's domain vocabulary shared by every other crate: the one error
//! type and the identifiers that flow between layers. It has no I/O and no
//! heavy dependencies so everything can depend on it cheaply.

#[macro_use]
mod macros;
pub mod audit;
pub mod error;
pub use audit::{
    payload_hash, AuditCheckpoint, AuditEvent, AuditEventKind, AuditId, AuditRecord, GENESIS_HASH,
    SYSTEM_ACTOR,
};
pub mod audit_verify;

pub use error::{Error, ErrorKind, LogLevel, Result};
pub mod run;
pub use run::{
    CommitPriority, Decision, Durability, QuarantineId, QuarantineRecord, RunId, RunRecord,
    RunStatus, StepKind, StepRecord, Timestamp,
};
pub mod principal;
pub use principal::{ApiKeyRecord, KeyStatus, Principal, Role, WorkflowGrant};
pub mod review;
pub use review::{
    Claim, DeliveryAttempt, DeliveryId, DeliveryRecord, DeliveryStatus, EventId, EventType,
    FeedbackId, FeedbackRecord, Resolution, ReviewAction, ReviewId, ReviewState, ReviewStatus,
    ReviewTask, Suggestion, Vote,
};
