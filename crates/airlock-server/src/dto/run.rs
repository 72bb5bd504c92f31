//! Runs as the API shows them: the answer to `POST /v1/workflows/{name}/runs`
//! ([`RunView`]), with the input and idempotency key a stored run
//! ([`RunDetailView`]), and with the outcome of its review and who decided
//! it, one run read by id ([`StoredRunView`]).

use airlock_core::{ReviewTask, RunRecord, StepRecord, Timestamp};
use airlock_engine::RunVerdict;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::words::{DecisionView, ReviewActionView, ReviewStatusView, RunStatusView, StepKindView};

/// What one step of a run did.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    /// The step's name in the workflow.
    pub name: String,
    pub kind: StepKindView,
    /// True when the step did not run (its `when` was false, or an earlier
    /// step rejected the input or failed).
    pub skipped: bool,
    /// The step's typed output (`null` when skipped or failed).
    pub output: Value,
    pub latency_ms: f64,
    #[schema(required = true)]
    pub error: Option<String>,
    /// The exact model the step ran, if any.
    #[schema(required = true)]
    pub model: Option<String>,
}

/// A committed run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    /// ULID; time-ordered.
    #[schema(example = "01J9ZQ3V6T8K2M4N5P7R9S1T3V")]
    pub run_id: String,
    pub workflow: String,
    /// Content hash of the workflow definition the run used.
    pub workflow_version: String,
    pub status: RunStatusView,
    /// What the caller acts on.
    pub decision: DecisionView,
    /// The decision rule that fired (`run-failed` when a step failed,
    /// `input-contract` when the input failed the contract of a workflow
    /// without a validate step).
    #[schema(required = true)]
    pub rule: Option<String>,
    /// The workflow's output; `null` when the run was blocked or failed.
    #[schema(required = true)]
    pub output: Option<Value>,
    /// The lowest confidence of the run's classifications, if any.
    #[schema(required = true)]
    pub confidence: Option<f64>,
    /// Every model the run used.
    pub models: Vec<String>,
    /// Why the run failed, when `status` is `failed`.
    #[schema(required = true)]
    pub error: Option<String>,
    pub latency_ms: f64,
    /// RFC 3339, millisecond precision.
    #[schema(format = DateTime, example = "2024-05-01T12:34:56.789Z")]
    pub created_at: String,
    /// True when this answer is an earlier run returned for a repeated
    /// `Idempotency-Key` (nothing ran again). Always false on reads.
    pub replayed: bool,
    /// The review task created for the run (decision `review`), if any.
    #[schema(required = true)]
    pub review_id: Option<String>,
    pub steps: Vec<StepView>,
}

/// A stored run: the run answer plus what was sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunDetailView {
    #[serde(flatten)]
    pub run: RunView,
    /// The input as stored.
    pub input: Value,
    /// The caller's `Idempotency-Key`, if one was sent.
    #[schema(required = true)]
    pub idempotency_key: Option<String>,
}

/// The outcome of a run's review.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunReviewView {
    pub review_id: String,
    /// Now: `claimed` while a reviewer's lease runs.
    pub status: ReviewStatusView,
    /// What goes out once resolved (`null` while pending and after `reject`).
    #[schema(required = true)]
    pub final_output: Option<Value>,
    /// The reviewers whose votes decided it (empty while pending).
    pub decided_by: Vec<String>,
    #[schema(required = true)]
    pub action: Option<ReviewActionView>,
    /// The true label as the reviewers decided it.
    #[schema(required = true)]
    pub label: Option<String>,
    #[schema(required = true)]
    pub reason: Option<String>,
    #[schema(required = true, format = DateTime)]
    pub resolved_at: Option<String>,
}

/// `GET /v1/runs/{id}`: a stored run, its review and its final outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoredRunView {
    #[serde(flatten)]
    pub run: RunDetailView,
    /// Present when the run went to review.
    #[schema(required = true)]
    pub review: Option<RunReviewView>,
    /// Who decided the outcome: `["workflow rule <name>"]` for a run no
    /// person reviewed, the reviewers for a resolved review, `[]` while the
    /// review is pending.
    #[schema(example = json!(["workflow rule default"]))]
    pub decided_by: Vec<String>,
    /// What goes out: the run's output, or the review's final output
    /// (`null` while pending, after `reject`, or for a blocked run).
    #[schema(required = true)]
    pub final_output: Option<Value>,
}

/// One page of runs, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunPage {
    pub items: Vec<RunDetailView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

impl From<airlock_store::Page<RunRecord>> for RunPage {
    fn from(page: airlock_store::Page<RunRecord>) -> Self {
        RunPage {
            items: page
                .items
                .into_iter()
                .map(|run| RunDetailView::new(run, false))
                .collect(),
            next_cursor: page.next_cursor,
        }
    }
}

fn millis(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

impl From<StepRecord> for StepView {
    fn from(step: StepRecord) -> Self {
        StepView {
            name: step.name,
            kind: step.kind.into(),
            skipped: step.skipped,
            output: step.output,
            latency_ms: millis(step.latency_us),
            error: step.error,
            model: step.model,
        }
    }
}

impl RunView {
    pub fn new(run: RunRecord, replayed: bool) -> Self {
        RunDetailView::new(run, replayed).run
    }
}

impl RunDetailView {
    pub fn new(run: RunRecord, replayed: bool) -> Self {
        RunDetailView {
            run: RunView {
                run_id: run.id.to_string(),
                workflow: run.workflow,
                workflow_version: run.workflow_version,
                status: run.status.into(),
                decision: run.decision.into(),
                rule: run.rule,
                output: run.output,
                confidence: run.confidence,
                models: run.models,
                error: run.error,
                latency_ms: millis(run.latency_us),
                created_at: run.created_at.to_string(),
                replayed,
                review_id: run.review_id.map(|id| id.to_string()),
                steps: run.steps.into_iter().map(StepView::from).collect(),
            },
            input: run.input,
            idempotency_key: run.idempotency_key,
        }
    }
}

impl StoredRunView {
    /// `run` with its review task (if one was created), seen at `now`.
    pub fn new(run: RunRecord, review: Option<ReviewTask>, now: Timestamp) -> Self {
        let verdict = RunVerdict::of(&run, review.as_ref(), now);
        StoredRunView {
            run: RunDetailView::new(run, false),
            review: review.map(|task| RunReviewView::new(task, now)),
            decided_by: verdict.decided_by,
            final_output: verdict.final_output,
        }
    }
}

impl RunReviewView {
    fn new(task: ReviewTask, now: Timestamp) -> Self {
        let status = task.status_at(now).into();
        let review_id = task.id.to_string();
        match task.resolution {
            Some(r) => RunReviewView {
                review_id,
                status,
                final_output: r.output,
                decided_by: r.decided_by,
                action: Some(r.action.into()),
                label: r.label,
                reason: r.reason,
                resolved_at: Some(r.resolved_at.to_string()),
            },
            None => RunReviewView {
                review_id,
                status,
                final_output: None,
                decided_by: Vec::new(),
                action: None,
                label: None,
                reason: None,
                resolved_at: None,
            },
        }
    }
}
