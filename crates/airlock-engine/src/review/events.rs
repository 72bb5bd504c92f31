//! The webhook events of the review queue (`review.created`,
//! `review.resolved`, `review.overdue`): what each carries, and the outbox
//! deliveries announcing it to the subscribed endpoints. Deliveries are
//! stored in the same transaction as the change they announce.

use airlock_config::WebhookSettings;
use airlock_core::{DeliveryRecord, EventType, Resolution, ReviewTask, Timestamp};
use serde_json::{json, Value};

/// `review.created`: where to find the task and what the model suggested
/// (no input: receivers with access fetch the task from the API).
pub(crate) fn created(task: &ReviewTask) -> Value {
    json!({
        "review_id": task.id,
        "run_id": task.run_id,
        "workflow": task.workflow,
        "workflow_version": task.workflow_version,
        "rule": task.rule,
        "reason": task.reason,
        "priority": task.priority,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "required_reviews": task.required_reviews,
        "suggestion": {
            "label": task.suggestion.label,
            "confidence": task.suggestion.confidence,
        },
    })
}

/// `review.resolved`: the outcome the caller acts on.
pub(crate) fn resolved(task: &ReviewTask, resolution: &Resolution) -> Value {
    json!({
        "review_id": task.id,
        "run_id": task.run_id,
        "workflow": task.workflow,
        "workflow_version": task.workflow_version,
        "action": resolution.action,
        "final_output": resolution.output,
        "label": resolution.label,
        "suggested_label": task.suggestion.label,
        "reason": resolution.reason,
        "decided_by": resolution.decided_by,
        "resolved_at": resolution.resolved_at,
    })
}

/// `review.overdue`: a task still unresolved at its due time.
pub(crate) fn overdue(task: &ReviewTask, now: Timestamp) -> Value {
    json!({
        "review_id": task.id,
        "run_id": task.run_id,
        "workflow": task.workflow,
        "priority": task.priority,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "status": task.status_at(now),
        "votes": task.votes.len(),
        "required_reviews": task.required_reviews,
    })
}

/// The deliveries of `event` about `task` to every subscribed endpoint.
pub(crate) fn deliveries(
    event: EventType,
    task: &ReviewTask,
    data: Value,
    endpoints: &[WebhookSettings],
    now: Timestamp,
) -> Vec<DeliveryRecord> {
    airlock_webhooks::deliveries_for(event, &task.workflow, data, endpoints, now)
}
