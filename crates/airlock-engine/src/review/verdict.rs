//! What finally became of a run: the output that goes out and who decided
//! it, whether a workflow rule or the reviewers of its review task. The
//! HTTP API and the CLI show the same [`RunVerdict`].

use airlock_core::{Decision, ReviewAction, ReviewStatus, ReviewTask, RunRecord, Timestamp};
use serde::Serialize;
use serde_json::Value;

/// The final word on a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunVerdict {
    /// What goes out: the run's output when a rule decided it; for a
    /// reviewed run the resolution's output (`None` while the review is
    /// pending and after `reject`).
    pub final_output: Option<Value>,
    /// `workflow rule <name>` for runs no person decided, the reviewers
    /// for resolved reviews; empty while a review is pending.
    pub decided_by: Vec<String>,
    /// The review's status at the instant the verdict was taken, if the
    /// run went to review.
    pub review_status: Option<ReviewStatus>,
    /// How the review was resolved, if it was.
    pub action: Option<ReviewAction>,
}

impl RunVerdict {
    /// The verdict on `run` (with its review task, if any) at `now`.
    pub fn of(run: &RunRecord, review: Option<&ReviewTask>, now: Timestamp) -> RunVerdict {
        match review {
            Some(task) => {
                let resolution = task.resolution.as_ref();
                RunVerdict {
                    final_output: resolution.and_then(|r| r.output.clone()),
                    decided_by: resolution.map(|r| r.decided_by.clone()).unwrap_or_default(),
                    review_status: Some(task.status_at(now)),
                    action: resolution.map(|r| r.action),
                }
            }
            None => RunVerdict {
                final_output: if run.decision == Decision::Review {
                    None
                } else {
                    run.output.clone()
                },
                decided_by: run
                    .rule
                    .iter()
                    .map(|rule| format!("workflow rule {rule}"))
                    .collect(),
                review_status: None,
                action: None,
            },
        }
    }
}
