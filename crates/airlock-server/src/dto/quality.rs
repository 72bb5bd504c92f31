//! The quality report (`GET /v1/workflows/{name}/quality`) described for
//! the OpenAPI document. The body itself is the engine's
//! `airlock_engine::QualityReport` serialised as is; a test checks that
//! these shapes read every member of it and write it back unchanged, so the
//! document cannot drift from what is sent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The quality of one workflow measured by people's decisions: over every
/// version (`totals`) and per version. Rates are `null` when nothing was
/// there to divide by.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QualityReportView {
    #[schema(example = "support-triage")]
    pub workflow: String,
    /// The version the server runs now.
    pub current_version: String,
    /// Only runs, tasks and feedback created at or after this instant.
    #[schema(required = true, format = DateTime)]
    pub since: Option<String>,
    #[schema(format = DateTime)]
    pub computed_at: String,
    pub totals: QualityFiguresView,
    /// One entry per workflow version that has runs or reviews.
    pub versions: Vec<VersionQualityView>,
    pub backlog: BacklogView,
    pub feedback: FeedbackSummaryView,
}

/// The figures of one workflow version.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VersionQualityView {
    pub workflow_version: String,
    #[serde(flatten)]
    pub figures: QualityFiguresView,
}

/// Runs, reviews and the suggestion's accuracy over a set of runs.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QualityFiguresView {
    pub runs: u64,
    pub decisions: DecisionTallyView,
    /// `auto` runs / runs.
    #[schema(required = true)]
    pub automation_rate: Option<f64>,
    /// `review` runs / runs.
    #[schema(required = true)]
    pub review_rate: Option<f64>,
    /// `fallback` runs / runs.
    #[schema(required = true)]
    pub fallback_rate: Option<f64>,
    /// `block` runs / runs.
    #[schema(required = true)]
    pub block_rate: Option<f64>,
    pub reviews: ReviewTallyView,
    /// Overridden / resolved reviews.
    #[schema(required = true)]
    pub override_rate: Option<f64>,
    /// Rejected / resolved reviews.
    #[schema(required = true)]
    pub reject_rate: Option<f64>,
    /// Resolved reviews whose reviewers settled on a label.
    pub labelled_reviews: u64,
    /// Of those, the ones whose suggested label was right.
    pub correct_suggestions: u64,
    /// `correct_suggestions / labelled_reviews`.
    #[schema(required = true)]
    pub suggestion_accuracy: Option<f64>,
    /// Per label, over the labelled reviews.
    pub labels: Vec<LabelQualityView>,
}

/// Runs per decision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionTallyView {
    pub auto: u64,
    pub review: u64,
    pub fallback: u64,
    pub block: u64,
}

/// Review tasks by where they stand and how they were resolved.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewTallyView {
    pub created: u64,
    pub open: u64,
    pub escalated: u64,
    pub resolved: u64,
    pub approved: u64,
    pub overridden: u64,
    pub rejected: u64,
    /// Resolved after their due time, or unresolved and past it now.
    pub sla_breaches: u64,
}

/// How the suggestion did for one label on reviewed runs.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LabelQualityView {
    pub label: String,
    /// Labelled reviews whose suggestion was this label.
    pub suggested: u64,
    /// Labelled reviews the reviewers settled on this label.
    pub actual: u64,
    /// Both.
    pub correct: u64,
    /// `correct / suggested`.
    #[schema(required = true)]
    pub precision: Option<f64>,
    /// `correct / actual`.
    #[schema(required = true)]
    pub recall: Option<f64>,
}

/// Unresolved review tasks now (whatever `since` says).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BacklogView {
    /// `open + escalated`.
    pub size: u64,
    pub open: u64,
    pub escalated: u64,
    /// Unresolved and past due.
    pub overdue: u64,
    #[schema(required = true, format = DateTime)]
    pub oldest_created_at: Option<String>,
    /// 0 when the queue is empty.
    pub oldest_age_seconds: f64,
}

/// What downstream systems reported.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FeedbackSummaryView {
    pub records: u64,
    pub labelled: u64,
    #[schema(required = true)]
    pub mean_score: Option<f64>,
    /// How often each outcome was reported.
    pub outcomes: BTreeMap<String, u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::{Decision, ReviewAction, ReviewState, Timestamp};
    use airlock_engine::{QualityReport, QualityScope};
    use airlock_store::{
        Backlog, DecisionCount, FeedbackSummary, LabelPairCount, QualityCounts, ReviewCount,
    };

    #[test]
    fn the_documented_shape_reads_and_writes_the_report_unchanged() {
        let at = |ms| Timestamp::from_unix_ms(ms).expect("in range");
        let counts = QualityCounts {
            decisions: vec![
                DecisionCount {
                    workflow_version: "v1".into(),
                    decision: Decision::Auto,
                    runs: 3,
                },
                DecisionCount {
                    workflow_version: "v1".into(),
                    decision: Decision::Review,
                    runs: 2,
                },
            ],
            reviews: vec![ReviewCount {
                workflow_version: "v1".into(),
                state: ReviewState::Resolved,
                action: Some(ReviewAction::Override),
                tasks: 2,
                sla_breached: 1,
            }],
            labels: vec![LabelPairCount {
                workflow_version: "v1".into(),
                suggested: Some("a".into()),
                actual: "b".into(),
                tasks: 2,
            }],
            backlog: Backlog {
                open: 1,
                escalated: 0,
                overdue: 1,
                oldest_created_at: Some(at(1_000)),
            },
            feedback: FeedbackSummary {
                records: 2,
                labelled: 1,
                mean_score: Some(4.0),
                outcomes: vec![("ticket_reopened".into(), 1)],
            },
        };
        let scope = QualityScope {
            workflow: "w".into(),
            current_version: "v1".into(),
            since: Some(at(0)),
            now: at(61_000),
        };
        let sent = serde_json::to_value(QualityReport::from_counts(&scope, &counts))
            .expect("the report serialises");
        let documented: QualityReportView =
            serde_json::from_value(sent.clone()).expect("the documented shape reads it");
        let written = serde_json::to_value(&documented).expect("serialises");
        assert_eq!(written, sent, "no member is missing from the document");
        assert!(
            !documented.totals.labels.is_empty() && !documented.versions.is_empty(),
            "the fixture exercises the nested shapes: {sent:#}"
        );
    }
}
