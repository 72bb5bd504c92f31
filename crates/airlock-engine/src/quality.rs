//! Quality of a workflow measured by people's decisions: how much runs
//! without a person, how often reviewers override or reject the model, how
//! accurate its suggestion was on the runs they reviewed (overall and per
//! label), the review backlog and its SLA breaches, and what downstream
//! systems reported as feedback.
//!
//! The database only counts ([`QualityStore::quality_counts`]); every rate
//! is computed here by [`QualityReport::from_counts`], a pure function, so
//! both backends report the same numbers. A rate whose denominator is 0 is
//! `None` (JSON `null`), never NaN. `docs/feedback-and-quality.md`
//! describes the JSON.

use std::collections::{BTreeMap, BTreeSet};

use airlock_core::{Decision, Result, ReviewAction, ReviewState, Timestamp};
use airlock_store::{
    Backlog, DecisionCount, FeedbackSummary, LabelPairCount, QualityCounts, QualityStore,
    ReviewCount,
};
use serde::{Deserialize, Serialize};

use crate::engine::Engine;

/// What a quality report is about: computed into the report unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityScope {
    pub workflow: String,
    /// The version the engine runs now (the workflow's content hash).
    pub current_version: String,
    /// Only runs created at or after this instant were counted.
    pub since: Option<Timestamp>,
    /// The instant the backlog and SLA breaches were judged at.
    pub now: Timestamp,
}

/// The quality of one workflow: over every version, and per version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    pub workflow: String,
    pub current_version: String,
    pub since: Option<Timestamp>,
    pub computed_at: Timestamp,
    /// Every version together.
    pub totals: QualityFigures,
    /// One entry per workflow version that has runs or reviews, by version.
    pub versions: Vec<VersionQuality>,
    /// Unresolved review tasks now (whatever `since` says).
    pub backlog: BacklogReport,
    pub feedback: FeedbackReport,
}

/// The figures of one workflow version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionQuality {
    pub workflow_version: String,
    #[serde(flatten)]
    pub figures: QualityFigures,
}

/// Runs, reviews and the suggestion's accuracy over some set of runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QualityFigures {
    pub runs: u64,
    pub decisions: DecisionTally,
    /// `auto` runs / runs.
    pub automation_rate: Option<f64>,
    /// `review` runs / runs.
    pub review_rate: Option<f64>,
    /// `fallback` runs / runs.
    pub fallback_rate: Option<f64>,
    /// `block` runs / runs.
    pub block_rate: Option<f64>,
    pub reviews: ReviewTally,
    /// Overridden / resolved reviews.
    pub override_rate: Option<f64>,
    /// Rejected / resolved reviews.
    pub reject_rate: Option<f64>,
    /// Resolved reviews whose reviewers settled on a label.
    pub labelled_reviews: u64,
    /// Of those, the ones whose suggested label was that label.
    pub correct_suggestions: u64,
    /// `correct_suggestions / labelled_reviews`.
    pub suggestion_accuracy: Option<f64>,
    /// Precision and recall of the suggestion per label, over the labelled
    /// reviews, by label.
    pub labels: Vec<LabelQuality>,
}

/// Runs per decision.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DecisionTally {
    pub auto: u64,
    pub review: u64,
    pub fallback: u64,
    pub block: u64,
}

impl DecisionTally {
    /// Counts `runs` more runs decided `decision`.
    pub fn add(&mut self, decision: Decision, runs: u64) {
        let slot = match decision {
            Decision::Auto => &mut self.auto,
            Decision::Review => &mut self.review,
            Decision::Fallback => &mut self.fallback,
            Decision::Block => &mut self.block,
        };
        *slot += runs;
    }

    /// Every run counted.
    pub fn total(&self) -> u64 {
        self.auto + self.review + self.fallback + self.block
    }
}

/// Review tasks by where they stand and how they were resolved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewTally {
    pub created: u64,
    /// Waiting for (more) reviews, claimed or not.
    pub open: u64,
    /// Reviewers disagreed; waiting for an adjudicator.
    pub escalated: u64,
    pub resolved: u64,
    pub approved: u64,
    pub overridden: u64,
    pub rejected: u64,
    /// Resolved after their due time, or unresolved and past it now.
    pub sla_breaches: u64,
}

/// How the suggestion did for one label on reviewed runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelQuality {
    pub label: String,
    /// Labelled reviews whose suggestion was this label.
    pub suggested: u64,
    /// Labelled reviews the reviewers settled on this label.
    pub actual: u64,
    /// Both.
    pub correct: u64,
    /// `correct / suggested`.
    pub precision: Option<f64>,
    /// `correct / actual`.
    pub recall: Option<f64>,
}

/// The review queue at `computed_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacklogReport {
    /// Unresolved tasks: `open + escalated`.
    pub size: u64,
    pub open: u64,
    pub escalated: u64,
    /// Unresolved and past due.
    pub overdue: u64,
    pub oldest_created_at: Option<Timestamp>,
    /// Age of the oldest unresolved task; 0 when the queue is empty.
    pub oldest_age_seconds: f64,
}

/// What downstream systems reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackReport {
    pub records: u64,
    pub labelled: u64,
    pub mean_score: Option<f64>,
    /// How often each outcome was reported.
    pub outcomes: BTreeMap<String, u64>,
}

impl QualityReport {
    /// Computes every figure from the database's counts.
    pub fn from_counts(scope: &QualityScope, counts: &QualityCounts) -> QualityReport {
        let mut versions: BTreeSet<&str> = BTreeSet::new();
        versions.extend(counts.decisions.iter().map(|c| c.workflow_version.as_str()));
        versions.extend(counts.reviews.iter().map(|c| c.workflow_version.as_str()));
        versions.extend(counts.labels.iter().map(|c| c.workflow_version.as_str()));
        let versions = versions
            .into_iter()
            .map(|version| VersionQuality {
                workflow_version: version.to_string(),
                figures: QualityFigures::from_counts(
                    counts
                        .decisions
                        .iter()
                        .filter(|c| c.workflow_version == version),
                    counts
                        .reviews
                        .iter()
                        .filter(|c| c.workflow_version == version),
                    counts
                        .labels
                        .iter()
                        .filter(|c| c.workflow_version == version),
                ),
            })
            .collect();
        QualityReport {
            workflow: scope.workflow.clone(),
            current_version: scope.current_version.clone(),
            since: scope.since,
            computed_at: scope.now,
            totals: QualityFigures::from_counts(&counts.decisions, &counts.reviews, &counts.labels),
            versions,
            backlog: BacklogReport::new(&counts.backlog, scope.now),
            feedback: FeedbackReport::new(&counts.feedback),
        }
    }
}

impl QualityFigures {
    fn from_counts<'a>(
        decisions: impl IntoIterator<Item = &'a DecisionCount>,
        reviews: impl IntoIterator<Item = &'a ReviewCount>,
        labels: impl IntoIterator<Item = &'a LabelPairCount>,
    ) -> QualityFigures {
        let mut tally = DecisionTally::default();
        for count in decisions {
            tally.add(count.decision, count.runs);
        }
        let runs = tally.total();

        let mut reviewed = ReviewTally::default();
        for count in reviews {
            reviewed.created += count.tasks;
            reviewed.sla_breaches += count.sla_breached;
            match count.state {
                ReviewState::Open => reviewed.open += count.tasks,
                ReviewState::Escalated => reviewed.escalated += count.tasks,
                ReviewState::Resolved => {
                    reviewed.resolved += count.tasks;
                    match count.action {
                        Some(ReviewAction::Approve) => reviewed.approved += count.tasks,
                        Some(ReviewAction::Override) => reviewed.overridden += count.tasks,
                        Some(ReviewAction::Reject) => reviewed.rejected += count.tasks,
                        None => {}
                    }
                }
            }
        }

        let labels = LabelTally::from_pairs(labels);
        QualityFigures {
            runs,
            automation_rate: ratio(tally.auto, runs),
            review_rate: ratio(tally.review, runs),
            fallback_rate: ratio(tally.fallback, runs),
            block_rate: ratio(tally.block, runs),
            decisions: tally,
            override_rate: ratio(reviewed.overridden, reviewed.resolved),
            reject_rate: ratio(reviewed.rejected, reviewed.resolved),
            reviews: reviewed,
            labelled_reviews: labels.labelled,
            correct_suggestions: labels.correct,
            suggestion_accuracy: ratio(labels.correct, labels.labelled),
            labels: labels.per_label(),
        }
    }
}

/// Suggested-versus-actual label counts, added up.
#[derive(Default)]
struct LabelTally {
    labelled: u64,
    correct: u64,
    /// label → (suggested, actual, correct)
    by_label: BTreeMap<String, (u64, u64, u64)>,
}

impl LabelTally {
    fn from_pairs<'a>(pairs: impl IntoIterator<Item = &'a LabelPairCount>) -> LabelTally {
        let mut tally = LabelTally::default();
        for pair in pairs {
            let hit = pair.suggested.as_deref() == Some(pair.actual.as_str());
            tally.labelled += pair.tasks;
            tally.by_label.entry(pair.actual.clone()).or_default().1 += pair.tasks;
            if let Some(suggested) = &pair.suggested {
                tally.by_label.entry(suggested.clone()).or_default().0 += pair.tasks;
            }
            if hit {
                tally.correct += pair.tasks;
                tally.by_label.entry(pair.actual.clone()).or_default().2 += pair.tasks;
            }
        }
        tally
    }

    fn per_label(&self) -> Vec<LabelQuality> {
        self.by_label
            .iter()
            .map(|(label, &(suggested, actual, correct))| LabelQuality {
                label: label.clone(),
                suggested,
                actual,
                correct,
                precision: ratio(correct, suggested),
                recall: ratio(correct, actual),
            })
            .collect()
    }
}

impl BacklogReport {
    fn new(backlog: &Backlog, now: Timestamp) -> BacklogReport {
        let age_ms = backlog
            .oldest_created_at
            .map_or(0, |oldest| (now.unix_ms() - oldest.unix_ms()).max(0));
        BacklogReport {
            size: backlog.open + backlog.escalated,
            open: backlog.open,
            escalated: backlog.escalated,
            overdue: backlog.overdue,
            oldest_created_at: backlog.oldest_created_at,
            oldest_age_seconds: age_ms as f64 / 1000.0,
        }
    }
}

impl FeedbackReport {
    fn new(summary: &FeedbackSummary) -> FeedbackReport {
        FeedbackReport {
            records: summary.records,
            labelled: summary.labelled,
            mean_score: summary.mean_score.filter(|s| s.is_finite()),
            outcomes: summary.outcomes.iter().cloned().collect(),
        }
    }
}

/// `part / whole`, or `None` when `whole` is 0.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Engine {
    /// The quality of `workflow` over runs created at or after `since`
    /// (every run when `None`); the backlog is judged now.
    pub async fn quality(&self, workflow: &str, since: Option<Timestamp>) -> Result<QualityReport> {
        self.quality_at(workflow, since, Timestamp::now()).await
    }

    /// [`Engine::quality`] with the backlog and SLA breaches judged at `now`.
    pub async fn quality_at(
        &self,
        workflow: &str,
        since: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<QualityReport> {
        let definition = self.workflow(workflow)?;
        let counts = self.store().quality_counts(workflow, since, now).await?;
        let scope = QualityScope {
            workflow: definition.name.clone(),
            current_version: definition.version.clone(),
            since,
            now,
        };
        Ok(QualityReport::from_counts(&scope, &counts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_ms(ms).expect("in range")
    }

    fn scope() -> QualityScope {
        QualityScope {
            workflow: "w".into(),
            current_version: "v2".into(),
            since: None,
            now: at(100_000),
        }
    }

    fn decisions(version: &str, decision: Decision, runs: u64) -> DecisionCount {
        DecisionCount {
            workflow_version: version.into(),
            decision,
            runs,
        }
    }

    fn reviews(
        version: &str,
        state: ReviewState,
        action: Option<ReviewAction>,
        tasks: u64,
        sla_breached: u64,
    ) -> ReviewCount {
        ReviewCount {
            workflow_version: version.into(),
            state,
            action,
            tasks,
            sla_breached,
        }
    }

    fn pair(version: &str, suggested: Option<&str>, actual: &str, tasks: u64) -> LabelPairCount {
        LabelPairCount {
            workflow_version: version.into(),
            suggested: suggested.map(str::to_string),
            actual: actual.into(),
            tasks,
        }
    }

    /// Two versions; v1: 6 auto, 3 review, 1 block; v2: 2 fallback,
    /// 2 review. Reviews: v1 has 1 approved, 1 overridden, 1 open (past
    /// due); v2 has 1 rejected (late) and 1 escalated. Labels: v1 approve
    /// a→a, override a→b; v2 none.
    fn counts() -> QualityCounts {
        use Decision::*;
        use ReviewAction::*;
        QualityCounts {
            decisions: vec![
                decisions("v1", Auto, 6),
                decisions("v1", Review, 3),
                decisions("v1", Block, 1),
                decisions("v2", Fallback, 2),
                decisions("v2", Review, 2),
            ],
            reviews: vec![
                reviews("v1", ReviewState::Resolved, Some(Approve), 1, 0),
                reviews("v1", ReviewState::Resolved, Some(Override), 1, 0),
                reviews("v1", ReviewState::Open, None, 1, 1),
                reviews("v2", ReviewState::Resolved, Some(Reject), 1, 1),
                reviews("v2", ReviewState::Escalated, None, 1, 0),
            ],
            labels: vec![pair("v1", Some("a"), "a", 1), pair("v1", Some("a"), "b", 1)],
            backlog: Backlog {
                open: 1,
                escalated: 1,
                overdue: 1,
                oldest_created_at: Some(at(40_000)),
            },
            feedback: FeedbackSummary {
                records: 3,
                labelled: 1,
                mean_score: Some(0.5),
                outcomes: vec![("ticket_reopened".into(), 2)],
            },
        }
    }

    #[test]
    fn totals_are_hand_computed_values() {
        let report = QualityReport::from_counts(&scope(), &counts());
        let t = &report.totals;
        assert_eq!(t.runs, 14);
        assert_eq!(
            t.decisions,
            DecisionTally {
                auto: 6,
                review: 5,
                fallback: 2,
                block: 1
            }
        );
        assert_eq!(t.automation_rate, Some(6.0 / 14.0));
        assert_eq!(t.review_rate, Some(5.0 / 14.0));
        assert_eq!(t.fallback_rate, Some(2.0 / 14.0));
        assert_eq!(t.block_rate, Some(1.0 / 14.0));
        assert_eq!(
            t.reviews,
            ReviewTally {
                created: 5,
                open: 1,
                escalated: 1,
                resolved: 3,
                approved: 1,
                overridden: 1,
                rejected: 1,
                sla_breaches: 2,
            }
        );
        assert_eq!(t.override_rate, Some(1.0 / 3.0));
        assert_eq!(t.reject_rate, Some(1.0 / 3.0));
        assert_eq!((t.labelled_reviews, t.correct_suggestions), (2, 1));
        assert_eq!(t.suggestion_accuracy, Some(0.5));
        assert_eq!(
            t.labels,
            vec![
                LabelQuality {
                    label: "a".into(),
                    suggested: 2,
                    actual: 1,
                    correct: 1,
                    precision: Some(0.5),
                    recall: Some(1.0),
                },
                LabelQuality {
                    label: "b".into(),
                    suggested: 0,
                    actual: 1,
                    correct: 0,
                    precision: None,
                    recall: Some(0.0),
                },
            ]
        );
        assert_eq!(
            report.backlog,
            BacklogReport {
                size: 2,
                open: 1,
                escalated: 1,
                overdue: 1,
                oldest_created_at: Some(at(40_000)),
                oldest_age_seconds: 60.0,
            }
        );
        assert_eq!(report.feedback.records, 3);
        assert_eq!(report.feedback.mean_score, Some(0.5));
        assert_eq!(report.feedback.outcomes.get("ticket_reopened"), Some(&2));
        assert_eq!(report.current_version, "v2");
    }

    #[test]
    fn each_version_counts_only_its_own() {
        let report = QualityReport::from_counts(&scope(), &counts());
        let names: Vec<&str> = report
            .versions
            .iter()
            .map(|v| v.workflow_version.as_str())
            .collect();
        assert_eq!(names, ["v1", "v2"]);
        let v1 = &report.versions[0].figures;
        assert_eq!(v1.runs, 10);
        assert_eq!(v1.automation_rate, Some(0.6));
        assert_eq!(v1.review_rate, Some(0.3));
        assert_eq!(v1.override_rate, Some(0.5));
        assert_eq!(v1.reject_rate, Some(0.0));
        assert_eq!(v1.suggestion_accuracy, Some(0.5));
        assert_eq!(v1.reviews.sla_breaches, 1);
        let v2 = &report.versions[1].figures;
        assert_eq!(v2.runs, 4);
        assert_eq!(v2.automation_rate, Some(0.0));
        assert_eq!(v2.fallback_rate, Some(0.5));
        assert_eq!(v2.override_rate, Some(0.0));
        assert_eq!(v2.reject_rate, Some(1.0));
        assert_eq!(v2.suggestion_accuracy, None, "no labelled reviews");
        assert!(v2.labels.is_empty());
    }

    #[test]
    fn empty_counts_give_null_rates_never_nan() {
        let empty = QualityCounts {
            decisions: vec![],
            reviews: vec![],
            labels: vec![],
            backlog: Backlog {
                open: 0,
                escalated: 0,
                overdue: 0,
                oldest_created_at: None,
            },
            feedback: FeedbackSummary::default(),
        };
        let report = QualityReport::from_counts(&scope(), &empty);
        let t = &report.totals;
        for rate in [
            t.automation_rate,
            t.review_rate,
            t.fallback_rate,
            t.block_rate,
            t.override_rate,
            t.reject_rate,
            t.suggestion_accuracy,
        ] {
            assert_eq!(rate, None);
        }
        assert!(report.versions.is_empty());
        assert_eq!(report.backlog.oldest_age_seconds, 0.0);
        let json = serde_json::to_value(&report).expect("serialisable");
        assert_eq!(json["totals"]["automation_rate"], serde_json::Value::Null);
        assert_eq!(json["feedback"]["mean_score"], serde_json::Value::Null);
    }

    #[test]
    fn a_review_without_a_suggestion_counts_against_accuracy() {
        let mut c = counts();
        c.labels = vec![pair("v1", None, "a", 2), pair("v1", Some("a"), "a", 2)];
        let report = QualityReport::from_counts(&scope(), &c);
        let t = &report.totals;
        assert_eq!(t.suggestion_accuracy, Some(0.5));
        assert_eq!(t.labels[0].precision, Some(1.0));
        assert_eq!(t.labels[0].recall, Some(0.5));
    }

    #[test]
    fn version_figures_are_flattened_in_json() {
        let report = QualityReport::from_counts(&scope(), &counts());
        let json = serde_json::to_value(&report).expect("serialisable");
        let v1 = &json["versions"][0];
        assert_eq!(v1["workflow_version"], "v1");
        assert_eq!(v1["runs"], 10);
        assert_eq!(v1["decisions"]["auto"], 6);
        assert_eq!(json["backlog"]["oldest_age_seconds"], 60.0);
        assert_eq!(json["feedback"]["outcomes"]["ticket_reopened"], 2);
        let back: QualityReport = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, report);
    }
}
