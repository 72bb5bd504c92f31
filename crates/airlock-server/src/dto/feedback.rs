//! Feedback from downstream systems as the API shows it, and the body of
//! `POST /v1/runs/{id}/feedback` (documented here, read by `crate::body`).

use airlock_core::FeedbackRecord;
use serde::Serialize;
use utoipa::ToSchema;

/// One report about a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackView {
    #[schema(example = "01J9ZQ3V6T8K2M4N5P7R9S1T3V")]
    pub feedback_id: String,
    pub run_id: String,
    pub workflow: String,
    /// The client's idempotency key (unique per run).
    pub key: String,
    #[schema(required = true)]
    pub label: Option<String>,
    #[schema(required = true)]
    pub score: Option<f64>,
    #[schema(required = true)]
    pub outcome: Option<String>,
    #[schema(required = true)]
    pub comment: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// True when this answer is the record stored earlier under the same
    /// key (nothing new was stored). Always false on reads.
    pub replayed: bool,
}

/// One page of a run's feedback, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackPage {
    pub items: Vec<FeedbackView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// `POST /v1/runs/{id}/feedback`: at least one of `label`, `score`, `outcome`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackRequestBody {
    /// Makes retries safe: the same key with the same body answers the
    /// stored record (`200`, `replayed: true`); with a different body it is
    /// `409`. 1 to 255 printable ASCII characters without spaces.
    #[schema(example = "crm-ticket-4711-reopened")]
    pub key: String,
    /// The true label, if the reporter knows it.
    pub label: Option<String>,
    /// A numeric judgement, e.g. a rating.
    pub score: Option<f64>,
    /// What happened downstream, e.g. `ticket_reopened` (at most 200 characters).
    pub outcome: Option<String>,
    /// Free text (at most 2000 characters).
    pub comment: Option<String>,
}

impl FeedbackView {
    pub fn new(record: FeedbackRecord, replayed: bool) -> Self {
        FeedbackView {
            feedback_id: record.id.to_string(),
            run_id: record.run_id.to_string(),
            workflow: record.workflow,
            key: record.key,
            label: record.label,
            score: record.score,
            outcome: record.outcome,
            comment: record.comment,
            created_at: record.created_at.to_string(),
            replayed,
        }
    }
}

impl From<airlock_store::Page<FeedbackRecord>> for FeedbackPage {
    fn from(page: airlock_store::Page<FeedbackRecord>) -> Self {
        FeedbackPage {
            items: page
                .items
                .into_iter()
                .map(|r| FeedbackView::new(r, false))
                .collect(),
            next_cursor: page.next_cursor,
        }
    }
}
