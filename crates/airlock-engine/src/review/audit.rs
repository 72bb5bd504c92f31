//! The audit records of review changes, derived from the update a decider
//! returned, so every claim, release, vote and resolution is recorded in
//! the transaction that makes it (whoever asked: HTTP, CLI or a sweep).
//! Outputs are recorded as hashes, never in full.

use airlock_core::{payload_hash, AuditEvent, AuditEventKind, ReviewTask, Timestamp};
use airlock_store::ReviewUpdate;
use serde_json::json;

/// How the audit log names a reviewer (their key's name once keys exist).
fn reviewer_actor(name: &str) -> String {
    format!("reviewer:{name}")
}

/// One event per kind of change in `update` to `task`.
pub(crate) fn events_for(task: &ReviewTask, update: &ReviewUpdate) -> Vec<AuditEvent> {
    let subject = format!("review:{}", task.id);
    let event = |kind, actor: String, at: Timestamp, details| {
        AuditEvent::new(kind, actor, subject.clone(), details)
            .with_workflow(task.workflow.clone())
            .at(at)
    };
    let mut events = Vec::new();
    if let Some(claim) = &update.claim {
        events.push(event(
            AuditEventKind::ReviewClaimed,
            reviewer_actor(&claim.reviewer),
            claim.claimed_at,
            json!({"run_id": task.run_id, "expires_at": claim.expires_at}),
        ));
    }
    if let Some(reviewer) = &update.release {
        events.push(event(
            AuditEventKind::ReviewReleased,
            reviewer_actor(reviewer),
            Timestamp::now(),
            json!({"run_id": task.run_id}),
        ));
    }
    if let Some(vote) = &update.vote {
        events.push(event(
            AuditEventKind::ReviewVoted,
            reviewer_actor(&vote.reviewer),
            vote.at,
            json!({
                "run_id": task.run_id,
                "action": vote.action,
                "label": vote.label,
                "reason": vote.reason,
                "adjudication": vote.adjudication,
                "output_sha256": vote.output.as_ref().map(payload_hash),
            }),
        ));
    }
    if let Some(resolution) = &update.resolution {
        let actor = match resolution.decided_by.as_slice() {
            [one] => reviewer_actor(one),
            many => format!("reviewers:{}", many.join(",")),
        };
        events.push(event(
            AuditEventKind::ReviewResolved,
            actor,
            resolution.resolved_at,
            json!({
                "run_id": task.run_id,
                "action": resolution.action,
                "label": resolution.label,
                "decided_by": resolution.decided_by,
                "output_sha256": resolution.output.as_ref().map(payload_hash),
            }),
        ));
    }
    events
}
