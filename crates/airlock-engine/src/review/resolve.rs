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

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::{ReviewId, RunId, Suggestion};
    use serde_json::json;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_ms(ms).expect("in range")
    }

    fn task(required_reviews: u32) -> ReviewTask {
        ReviewTask {
            id: ReviewId::new(),
            run_id: RunId::new(),
            workflow: "w".into(),
            workflow_version: "v".into(),
            rule: Some("r".into()),
            reason: None,
            priority: 0,
            created_at: at(0),
            due_at: at(1_000_000),
            suggestion: Suggestion {
                step: Some("intent".into()),
                label: Some("fraud".into()),
                confidence: Some(0.9),
                alternatives: json!([]),
                output: Some(json!({"intent": "fraud"})),
            },
            required_reviews,
            state: ReviewState::Open,
            claims: vec![],
            votes: vec![],
            resolution: None,
            overdue_notified: false,
            version: 0,
        }
    }

    fn ballot(reviewer: &str, action: ReviewAction, intent: Option<&str>) -> Ballot {
        Ballot {
            reviewer: reviewer.into(),
            action,
            output: intent.map(|i| json!({ "intent": i })),
            label: intent.map(str::to_string),
            reason: Some(format!("{reviewer}'s reason")),
        }
    }

    /// Casts `ballots` one after the other, applying each update as the
    /// store would; returns the task after the last.
    fn cast(mut task: ReviewTask, ballots: &[Ballot]) -> ReviewTask {
        for (i, ballot) in ballots.iter().enumerate() {
            let adjudicator = ballot.reviewer == "judy";
            let update = decide_resolve(&task, ballot, adjudicator, at(i as i64)).expect("vote");
            task.votes.extend(update.vote);
            task.state = update.state.unwrap_or(task.state);
            task.resolution = update.resolution.or(task.resolution);
        }
        task
    }

    #[test]
    fn one_vote_resolves_without_consensus() {
        let done = cast(task(1), &[ballot("ann", ReviewAction::Approve, None)]);
        let resolution = done.resolution.expect("resolved");
        assert_eq!(done.state, ReviewState::Resolved);
        assert_eq!(resolution.output, Some(json!({"intent": "fraud"})));
        assert_eq!(
            resolution.label.as_deref(),
            Some("fraud"),
            "the suggestion's label"
        );
        assert_eq!(resolution.decided_by, ["ann"]);
    }

    #[test]
    fn overrides_agree_only_with_the_same_output() {
        let same = cast(
            task(2),
            &[
                ballot("ann", ReviewAction::Override, Some("lost")),
                ballot("bob", ReviewAction::Override, Some("lost")),
            ],
        );
        let resolution = same.resolution.expect("agreed");
        assert_eq!(resolution.output, Some(json!({"intent": "lost"})));
        assert_eq!(
            resolution.reason.as_deref(),
            Some("ann's reason; bob's reason"),
            "distinct reasons, in vote order"
        );

        let different = cast(
            task(2),
            &[
                ballot("ann", ReviewAction::Override, Some("lost")),
                ballot("bob", ReviewAction::Override, Some("stolen")),
            ],
        );
        assert_eq!(different.state, ReviewState::Escalated);
        assert!(different.resolution.is_none());
    }

    #[test]
    fn approve_and_reject_disagree_and_the_adjudicator_decides_alone() {
        let escalated = cast(
            task(3),
            &[
                ballot("ann", ReviewAction::Approve, None),
                ballot("bob", ReviewAction::Approve, None),
                ballot("cid", ReviewAction::Reject, None),
            ],
        );
        assert_eq!(escalated.state, ReviewState::Escalated);
        let done = cast(escalated, &[ballot("judy", ReviewAction::Reject, None)]);
        let resolution = done.resolution.expect("adjudicated");
        assert_eq!(resolution.action, ReviewAction::Reject);
        assert_eq!(resolution.output, None);
        assert_eq!(resolution.decided_by, ["judy"]);
        assert!(done.votes.last().expect("vote").adjudication);
    }

    #[test]
    fn a_vote_short_of_consensus_changes_no_state() {
        let update = decide_resolve(
            &task(2),
            &ballot("ann", ReviewAction::Approve, None),
            false,
            at(5),
        )
        .expect("vote");
        assert_eq!(update.state, None);
        assert_eq!(update.resolution, None);
        assert_eq!(update.release.as_deref(), Some("ann"));
        assert_eq!(update.vote.map(|v| v.at), Some(at(5)));
    }
}
