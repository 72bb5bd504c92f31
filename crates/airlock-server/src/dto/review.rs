//! Review tasks as the API shows them: the queue's items ([`ReviewView`]),
//! one task with the run it holds ([`ReviewDetailView`]), and the request
//! bodies of the reviewer operations (documented here, read by
//! `crate::body`).

use airlock_core::{Claim, Resolution, ReviewTask, RunRecord, Suggestion, Timestamp, Vote};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::run::StepView;
use super::words::{ReviewActionView, ReviewStatusView};

/// What the model proposed for the run.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    /// The classify step the label came from.
    #[schema(required = true)]
    pub step: Option<String>,
    #[schema(required = true)]
    pub label: Option<String>,
    #[schema(required = true)]
    pub confidence: Option<f64>,
    /// The classifier's runner-up labels, `[{"label", "confidence"}]`.
    pub alternatives: Value,
    /// The run's output: what goes out if the suggestion is approved.
    #[schema(required = true)]
    pub output: Option<Value>,
}

/// A reviewer's lease on a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimView {
    pub reviewer: String,
    #[schema(format = DateTime)]
    pub claimed_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Whether the lease still runs now.
    pub live: bool,
}

/// One reviewer's decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteView {
    pub reviewer: String,
    pub action: ReviewActionView,
    /// The corrected output (override only).
    #[schema(required = true)]
    pub output: Option<Value>,
    #[schema(required = true)]
    pub label: Option<String>,
    #[schema(required = true)]
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub at: String,
    /// Cast by an adjudicator on an escalated task (final).
    pub adjudication: bool,
}

/// How the task was finally decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolutionView {
    pub action: ReviewActionView,
    /// What goes out: the suggestion's output (approve), the corrected one
    /// (override), nothing (reject).
    #[schema(required = true)]
    pub output: Option<Value>,
    /// The true label as the reviewers decided it.
    #[schema(required = true)]
    pub label: Option<String>,
    #[schema(required = true)]
    pub reason: Option<String>,
    /// The reviewers whose votes decided it.
    pub decided_by: Vec<String>,
    #[schema(format = DateTime)]
    pub resolved_at: String,
}

/// A review task: a run a person must decide.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    #[schema(example = "01J9ZQ3V6T8K2M4N5P7R9S1T3V")]
    pub review_id: String,
    pub run_id: String,
    pub workflow: String,
    /// The workflow version the run used.
    pub workflow_version: String,
    /// Now: `claimed` while a lease runs.
    pub status: ReviewStatusView,
    /// Unresolved past `due_at`.
    pub overdue: bool,
    /// Higher is more urgent.
    pub priority: i32,
    /// The decision rule that sent the run to review, and its reason.
    #[schema(required = true)]
    pub rule: Option<String>,
    #[schema(required = true)]
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// From the workflow's review SLA.
    #[schema(format = DateTime)]
    pub due_at: String,
    pub suggestion: SuggestionView,
    /// Agreeing votes needed to resolve it (1 without consensus).
    pub required_reviews: u32,
    /// Every claim, oldest first (lapsed ones included, `live: false`).
    pub claims: Vec<ClaimView>,
    /// Every vote, oldest first.
    pub votes: Vec<VoteView>,
    /// Set once resolved.
    #[schema(required = true)]
    pub resolution: Option<ResolutionView>,
}

/// `GET /v1/reviews/{id}`: the task with the context captured from its run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDetailView {
    #[serde(flatten)]
    pub review: ReviewView,
    /// The run's input, as stored.
    pub input: Value,
    /// Every step of the run with its output.
    pub steps: Vec<StepView>,
}

/// One page of the queue, oldest due first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPage {
    pub items: Vec<ReviewView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// `POST /v1/reviews/{id}/claim` and `/release`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimRequest {
    /// Who claims (or releases) the task. Until API keys exist (issue 5)
    /// the caller names itself.
    #[schema(example = "alice")]
    pub reviewer: String,
}

/// `POST /v1/reviews/{id}/resolve`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolveRequestBody {
    /// Who decides. Until API keys exist (issue 5) the caller names itself.
    #[schema(example = "alice")]
    pub reviewer: String,
    pub action: ReviewActionView,
    /// `override` only (required there): the corrected output, checked
    /// against the workflow's output contract.
    pub output: Option<Value>,
    /// The true label; by default the override output's label field, or
    /// the suggestion's label on approve.
    pub label: Option<String>,
    /// Required for `override` and `reject`.
    pub reason: Option<String>,
}

impl ReviewView {
    /// The task as seen at `now` (its status and overdue flag depend on the clock).
    pub fn new(task: ReviewTask, now: Timestamp) -> Self {
        ReviewView {
            review_id: task.id.to_string(),
            run_id: task.run_id.to_string(),
            status: task.status_at(now).into(),
            overdue: task.is_overdue_at(now),
            workflow: task.workflow,
            workflow_version: task.workflow_version,
            priority: task.priority,
            rule: task.rule,
            reason: task.reason,
            created_at: task.created_at.to_string(),
            due_at: task.due_at.to_string(),
            suggestion: task.suggestion.into(),
            required_reviews: task.required_reviews,
            claims: task
                .claims
                .into_iter()
                .map(|c| ClaimView::new(c, now))
                .collect(),
            votes: task.votes.into_iter().map(VoteView::from).collect(),
            resolution: task.resolution.map(ResolutionView::from),
        }
    }
}

impl ReviewDetailView {
    pub fn new(task: ReviewTask, run: RunRecord, now: Timestamp) -> Self {
        ReviewDetailView {
            review: ReviewView::new(task, now),
            input: run.input,
            steps: run.steps.into_iter().map(StepView::from).collect(),
        }
    }
}

impl ReviewPage {
    pub fn new(page: airlock_store::Page<ReviewTask>, now: Timestamp) -> Self {
        ReviewPage {
            items: page
                .items
                .into_iter()
                .map(|t| ReviewView::new(t, now))
                .collect(),
            next_cursor: page.next_cursor,
        }
    }
}

impl From<Suggestion> for SuggestionView {
    fn from(s: Suggestion) -> Self {
        SuggestionView {
            step: s.step,
            label: s.label,
            confidence: s.confidence,
            alternatives: s.alternatives,
            output: s.output,
        }
    }
}

impl ClaimView {
    fn new(claim: Claim, now: Timestamp) -> Self {
        ClaimView {
            live: claim.is_live_at(now),
            reviewer: claim.reviewer,
            claimed_at: claim.claimed_at.to_string(),
            expires_at: claim.expires_at.to_string(),
        }
    }
}

impl From<Vote> for VoteView {
    fn from(v: Vote) -> Self {
        VoteView {
            reviewer: v.reviewer,
            action: v.action.into(),
            output: v.output,
            label: v.label,
            reason: v.reason,
            at: v.at.to_string(),
            adjudication: v.adjudication,
        }
    }
}

impl From<Resolution> for ResolutionView {
    fn from(r: Resolution) -> Self {
        ResolutionView {
            action: r.action.into(),
            output: r.output,
            label: r.label,
            reason: r.reason,
            decided_by: r.decided_by,
            resolved_at: r.resolved_at.to_string(),
        }
    }
}
