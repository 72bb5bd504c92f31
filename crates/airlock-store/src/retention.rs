//! Retention: removing the payloads of runs and quarantined inputs older
//! than their workflow keeps them, in one transaction with the
//! `payloads.purged` audit record. What is removed: a run's input (now
//! `null`), step records (now `[]`), output and raw copy; a quarantined
//! input and its raw copy. What stays: every other column (decision, rule,
//! timing, review link), and the audit chain, whose records carry only the
//! hashes of the payloads, so it still verifies.

use airlock_core::{AuditEvent, AuditEventKind, Timestamp, SYSTEM_ACTOR};
use serde_json::json;

/// How many rows one purge changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    pub runs: u64,
    pub quarantined: u64,
}

/// The stored text of a purged run's input and steps.
pub(crate) const PURGED_INPUT: &str = "null";
pub(crate) const PURGED_STEPS: &str = "[]";

/// The audit record of a purge of `workflow`'s payloads created before
/// `before`, at `now`.
pub(crate) fn purge_event(
    workflow: &str,
    before: Timestamp,
    now: Timestamp,
    purged: Purged,
) -> AuditEvent {
    AuditEvent::new(
        AuditEventKind::PayloadsPurged,
        SYSTEM_ACTOR,
        format!("workflow:{workflow}"),
        json!({
            "created_before": before,
            "runs": purged.runs,
            "quarantined": purged.quarantined,
        }),
    )
    .with_workflow(workflow)
    .at(now)
}
