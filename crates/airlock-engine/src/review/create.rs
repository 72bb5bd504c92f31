//! The review task a run that ended in `review` gets: the captured
//! context (the run itself holds the input and every step's output), the
//! model's suggestion from the workflow's label step, the rule that
//! escalated it with its reason, the priority and the due time.

use airlock_core::{ReviewId, ReviewState, ReviewTask, RunRecord, StepRecord, Suggestion};
use airlock_workflow::WorkflowDefinition;
use serde_json::Value;

use super::later;

/// The open task for `run` (decision `review`), not yet stored.
pub(crate) fn new_task(workflow: &WorkflowDefinition, run: &RunRecord) -> ReviewTask {
    let policy = &workflow.review;
    let rule = run
        .rule
        .as_deref()
        .and_then(|name| workflow.decision_rule(name));
    ReviewTask {
        id: ReviewId::new(),
        run_id: run.id,
        workflow: run.workflow.clone(),
        workflow_version: run.workflow_version.clone(),
        rule: run.rule.clone(),
        reason: rule.and_then(|r| r.reason.clone()),
        priority: rule.and_then(|r| r.priority).unwrap_or(policy.priority),
        created_at: run.created_at,
        due_at: later(run.created_at, policy.sla),
        suggestion: suggestion(policy.label_step.as_deref(), run),
        required_reviews: policy.consensus,
        state: ReviewState::Open,
        claims: Vec::new(),
        votes: Vec::new(),
        resolution: None,
        overdue_notified: false,
        version: 0,
    }
}

/// What the model proposed: the label step's label, confidence and
/// alternatives (when that step ran and succeeded) and the run's output.
fn suggestion(label_step: Option<&str>, run: &RunRecord) -> Suggestion {
    let classified: Option<&StepRecord> = label_step.and_then(|name| {
        run.steps
            .iter()
            .find(|s| s.name == name && !s.skipped && s.error.is_none())
    });
    let field = |key: &str| classified.and_then(|s| s.output.get(key));
    Suggestion {
        step: label_step.map(str::to_string),
        label: field("label").and_then(Value::as_str).map(str::to_string),
        confidence: field("confidence").and_then(Value::as_f64),
        alternatives: field("alternatives")
            .filter(|a| a.is_array())
            .cloned()
            .unwrap_or_else(|| Value::Array(Vec::new())),
        output: run.output.clone(),
    }
}
