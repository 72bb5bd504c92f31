//! Resolving: a reviewer's request is checked before anything is read
//! from the store (an override needs an output satisfying the workflow's
//! output contract and a reason; a rejection needs a reason; an approval
//! takes no output), then, inside the store's locking transaction, becomes
//! a vote. One vote decides a task unless the workflow asks for consensus:
//! then the task is resolved when the required votes all agree and
//! escalated to an adjudicator, whose vote is final, when they do not.

use airlock_core::{
    Error, Resolution, Result, ReviewAction, ReviewState, ReviewTask, Timestamp, Vote,
};
use airlock_store::ReviewUpdate;
use airlock_workflow::WorkflowDefinition;
use serde_json::Value;

use super::access::{check_may_act, reviewer_name};
use super::api::ResolveRequest;

/// A checked resolve request, ready to be cast as a vote.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ballot {
    pub(crate) reviewer: String,
    pub(crate) action: ReviewAction,
    /// The corrected output (override only).
    pub(crate) output: Option<Value>,
    /// The explicit label, or the override output's label field.
    pub(crate) label: Option<String>,
    pub(crate) reason: Option<String>,
}

/// Checks `request` for a task of `workflow` (`None` when the workflow is
/// no longer served, which only an override needs).
pub(crate) fn check_request(
    request: ResolveRequest,
    workflow: Option<&WorkflowDefinition>,
    workflow_name: &str,
) -> Result<Ballot> {
    let reviewer = reviewer_name(&request.reviewer)?;
    let reason = non_blank(request.reason);
    let label = non_blank(request.label);
    let action = request.action;
    match action {
        ReviewAction::Override => {
            let Some(output) = request.output else {
                return Err(Error::invalid_input("an override needs the corrected `output`")
                    .with_field("output")
                    .with_hint("send the output as it should go out, satisfying the workflow's output contract"));
            };
            if reason.is_none() {
                return Err(required_reason(action));
            }
            let Some(workflow) = workflow else {
                return Err(Error::conflict(format!(
                    "workflow `{workflow_name}` is not served here, so an override cannot be checked against its output contract"
                ))
                .with_field("workflow"));
            };
            check_output(workflow, &output)?;
            let label = override_label(workflow, &output, label)?;
            Ok(Ballot {
                reviewer,
                action,
                output: Some(output),
                label,
                reason,
            })
        }
        ReviewAction::Approve | ReviewAction::Reject => {
            if request.output.is_some() {
                return Err(
                    Error::invalid_input(format!("`{action}` takes no `output`"))
                        .with_field("output")
                        .with_hint("to change the output, use action `override` with a reason"),
                );
            }
            if action == ReviewAction::Reject && reason.is_none() {
                return Err(required_reason(action));
            }
            Ok(Ballot {
                reviewer,
                action,
                output: None,
                label,
                reason,
            })
        }
    }
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

fn required_reason(action: ReviewAction) -> Error {
    Error::invalid_input(format!("`{action}` needs a `reason`"))
        .with_field("reason")
        .with_hint("say why, for the record and for whoever audits the decision")
}

/// The override output against the workflow's output contract; the error
/// names the first failing field (`output.intent`).
fn check_output(workflow: &WorkflowDefinition, output: &Value) -> Result<()> {
    let errors: Vec<(String, String)> = workflow
        .output_schema
        .validator
        .iter_errors(output)
        .map(|e| {
            let field = e
                .instance_path()
                .as_str()
                .split('/')
                .filter(|part| !part.is_empty())
                .fold("output".to_string(), |path, part| format!("{path}.{part}"));
            (field, e.to_string())
        })
        .collect();
    let Some((first, _)) = errors.first() else {
        return Ok(());
    };
    let details: Vec<String> = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
    Err(Error::invalid_input(format!(
        "the override output does not satisfy the output contract of workflow `{}` ({}): {}",
        workflow.name,
        workflow.output_schema.path,
        details.join("; ")
    ))
    .with_field(first.clone())
    .with_hint("correct the output so it satisfies the output schema"))
}

/// An override's label: the explicit one, else the output's label field;
/// both given and different is a mistake.
fn override_label(
    workflow: &WorkflowDefinition,
    output: &Value,
    explicit: Option<String>,
) -> Result<Option<String>> {
    let field = workflow.review.label_field.as_deref();
    let in_output = field
        .and_then(|f| output.get(f))
        .and_then(Value::as_str)
        .map(str::to_string);
    match (explicit, in_output) {
        (Some(explicit), Some(in_output)) if explicit != in_output => {
            let field = field.unwrap_or_default();
            Err(Error::invalid_input(format!(
                "`label` is `{explicit}` but `output.{field}` is `{in_output}`"
            ))
            .with_field("label")
            .with_hint(format!(
                "leave `label` out to take it from output.{field}, or make them agree"
            )))
        }
        (Some(label), _) | (None, Some(label)) => Ok(Some(label)),
        (None, None) => Ok(None),
    }
}

/// Casts `ballot` on `task` at `now`: the vote, the resolved or escalated
/// state and the resolution, and the voter's claim dropped.
pub(crate) fn decide_resolve(
    task: &ReviewTask,
    ballot: &Ballot,
    adjudicator: bool,
    now: Timestamp,
) -> Result<ReviewUpdate> {
    check_may_act(task, &ballot.reviewer, adjudicator, now)?;
    let label = ballot.label.clone().or_else(|| {
        (ballot.action == ReviewAction::Approve)
            .then(|| task.suggestion.label.clone())
            .flatten()
    });
    let escalated = task.state == ReviewState::Escalated;
    let vote = Vote {
        reviewer: ballot.reviewer.clone(),
        action: ballot.action,
        output: ballot.output.clone(),
        label,
        reason: ballot.reason.clone(),
        at: now,
        adjudication: escalated,
    };
    let mut update = ReviewUpdate {
        release: Some(ballot.reviewer.clone()),
        ..ReviewUpdate::default()
    };
    if escalated {
        update.resolution = Some(resolution(task, &[&vote], now));
        update.state = Some(ReviewState::Resolved);
    } else {
        let votes: Vec<&Vote> = task.votes.iter().chain([&vote]).collect();
        if votes.len() >= task.required_reviews as usize {
            if votes.iter().all(|v| agrees(v, votes[0])) {
                update.resolution = Some(resolution(task, &votes, now));
                update.state = Some(ReviewState::Resolved);
            } else {
                update.state = Some(ReviewState::Escalated);
            }
        }
    }
    update.vote = Some(vote);
    Ok(update)
}

/// Two votes agree when they take the same action with the same label
/// and (for overrides) the same output.
fn agrees(a: &Vote, b: &Vote) -> bool {
    a.action == b.action && a.label == b.label && a.output == b.output
}

/// The resolution `votes` (agreeing, or the adjudicator's alone) make.
fn resolution(task: &ReviewTask, votes: &[&Vote], now: Timestamp) -> Resolution {
    let first = votes[0];
    let mut reasons: Vec<&str> = Vec::new();
    for reason in votes.iter().filter_map(|v| v.reason.as_deref()) {
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    Resolution {
        action: first.action,
        output: match first.action {
            ReviewAction::Approve => task.suggestion.output.clone(),
            ReviewAction::Override => first.output.clone(),
            ReviewAction::Reject => None,
        },
        label: first.label.clone(),
        reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        decided_by: votes.iter().map(|v| v.reviewer.clone()).collect(),
        resolved_at: now,
    }
}
