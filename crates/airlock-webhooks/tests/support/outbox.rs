//! Filling the outbox the way the engine does: a run whose decision is
//! `review`, committed with its review task and that task's
//! `review.created` deliveries from [`deliveries_for`].

use std::sync::Arc;
use std::time::Duration;

use airlock_config::{WebhookDeliverySettings, WebhookSettings};
use airlock_core::{
    Decision, DeliveryRecord, EventType, ReviewId, ReviewState, ReviewTask, RunId, RunRecord,
    RunStatus, Suggestion, Timestamp,
};
use airlock_store::{NewReview, OutboxStore, ReviewStore, Store};
use airlock_webhooks::deliveries_for;
use serde_json::json;

pub const SECRET: &str = "test-secret-0123456789abcdef";
pub const WORKFLOW: &str = "support-triage";

pub fn endpoint(name: &str, url: &str) -> WebhookSettings {
    WebhookSettings {
        name: name.into(),
        url: url.into(),
        secret: SECRET.into(),
        events: EventType::ALL.to_vec(),
        workflows: vec![],
    }
}

/// Retries a few milliseconds apart so tests do not wait.
pub fn fast_retries(max_attempts: u32) -> WebhookDeliverySettings {
    WebhookDeliverySettings {
        max_attempts,
        timeout: Duration::from_secs(5),
        retry_base: Duration::from_millis(5),
        retry_max: Duration::from_millis(20),
    }
}

pub fn outbox(store: &Store) -> Arc<dyn OutboxStore> {
    Arc::new(store.clone())
}

/// Commits a review run and returns the `review.created` deliveries it
/// enqueued for `endpoints` (one per endpoint).
pub async fn enqueue_review(store: &Store, endpoints: &[WebhookSettings]) -> Vec<DeliveryRecord> {
    let now = Timestamp::now();
    let task_id = ReviewId::new();
    let run = RunRecord {
        id: RunId::new(),
        workflow: WORKFLOW.into(),
        workflow_version: "v1".into(),
        input: json!({"message": "my card was stolen"}),
        steps: vec![],
        output: Some(json!({"intent": "lost_or_stolen_card"})),
        decision: Decision::Review,
        rule: Some("low_confidence".into()),
        confidence: Some(0.41),
        models: vec![],
        status: RunStatus::Completed,
        error: None,
        idempotency_key: None,
        created_at: now,
        latency_us: 1_000,
        release_id: None,
        review_id: Some(task_id),
        key_id: None,
        request_hash: None,
        purged_at: None,
        cost_micro_usd: None,
    };
    let task = ReviewTask {
        id: task_id,
        run_id: run.id,
        workflow: WORKFLOW.into(),
        workflow_version: "v1".into(),
        rule: Some("low_confidence".into()),
        reason: Some("the classifier is unsure".into()),
        priority: 0,
        created_at: now,
        due_at: Timestamp::from_unix_ms(now.unix_ms() + 3_600_000).expect("in range"),
        suggestion: Suggestion {
            step: Some("intent".into()),
            label: Some("lost_or_stolen_card".into()),
            confidence: Some(0.41),
            alternatives: json!([]),
            output: run.output.clone(),
        },
        required_reviews: 1,
        state: ReviewState::Open,
        claims: vec![],
        votes: vec![],
        resolution: None,
        overdue_notified: false,
        version: 0,
    };
    let data = json!({"review_id": task.id, "run_id": run.id});
    let deliveries = deliveries_for(EventType::ReviewCreated, WORKFLOW, data, endpoints, now);
    assert_eq!(deliveries.len(), endpoints.len());
    store
        .insert_run_with_review(
            run,
            NewReview {
                task,
                deliveries: deliveries.clone(),
            },
        )
        .await
        .expect("insert the review run with its deliveries");
    deliveries
}
