//! Quality counts on SQLite and PostgreSQL, against a small fixed case
//! counted by hand: runs by decision, review tasks by state and action with
//! SLA breaches, label pairs, the backlog, and the feedback summary.

mod common;
mod seed;

use airlock_core::{
    Decision, Durability, FeedbackId, FeedbackRecord, ReviewAction, ReviewState, RunId, Timestamp,
};
use airlock_store::{
    Backlog, DecisionCount, FeedbackStore, FeedbackSummary, LabelPairCount, QualityStore,
    ReviewCount, RunStore, Store,
};
use common::{bare_run, with_database};
use seed::{Seeder, TaskRow};

const WORKFLOW: &str = "triage";
/// The instant SLA breaches and the backlog are judged at.
const NOW: i64 = 1_000_000;
/// The `since` of the windowed counts.
const SINCE: i64 = 100_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_ms(ms).expect("test timestamps are in range")
}

async fn insert_runs(store: &Store) {
    // (workflow, version, decision, created_at_ms, how many)
    let runs = [
        (WORKFLOW, "v1", Decision::Auto, 200_000, 3),
        (WORKFLOW, "v1", Decision::Review, 210_000, 2),
        (WORKFLOW, "v1", Decision::Block, SINCE, 1),
        (WORKFLOW, "v1", Decision::Auto, SINCE - 1, 1),
        (WORKFLOW, "v2", Decision::Auto, 600_000, 1),
        (WORKFLOW, "v2", Decision::Review, 600_000, 1),
        (WORKFLOW, "v2", Decision::Fallback, 600_000, 1),
        ("other", "v1", Decision::Auto, 200_000, 2),
    ];
    let mut records = Vec::new();
    for (workflow, version, decision, created_at_ms, count) in runs {
        for _ in 0..count {
            let mut run = bare_run(workflow, decision);
            run.workflow_version = version.into();
            run.created_at = at(created_at_ms);
            records.push(run);
        }
    }
    for run in records {
        store.insert(run).await.expect("insert run");
    }
}

/// One task per line: (version, created, due, suggested, state, action,
/// resolved label, resolved at).
#[allow(clippy::type_complexity)]
const TASKS: &[(
    &str,
    i64,
    i64,
    Option<&str>,
    ReviewState,
    Option<ReviewAction>,
    Option<&str>,
    Option<i64>,
)] = &[
    // Resolved exactly at its due time: not a breach.
    (
        "v1",
        200_000,
        300_000,
        Some("card_lost"),
        ReviewState::Resolved,
        Some(ReviewAction::Approve),
        Some("card_lost"),
        Some(300_000),
    ),
    // Resolved late: a breach.
    (
        "v1",
        200_000,
        300_000,
        Some("card_lost"),
        ReviewState::Resolved,
        Some(ReviewAction::Override),
        Some("card_stolen"),
        Some(300_001),
    ),
    (
        "v1",
        250_000,
        999_000,
        Some("card_lost"),
        ReviewState::Resolved,
        Some(ReviewAction::Override),
        Some("card_stolen"),
        Some(500_000),
    ),
    // Rejected late, with no label: no label pair.
    (
        "v1",
        200_000,
        300_000,
        Some("card_lost"),
        ReviewState::Resolved,
        Some(ReviewAction::Reject),
        None,
        Some(310_000),
    ),
    // Open, due later: neither overdue nor a breach.
    (
        "v1",
        300_000,
        2_000_000,
        Some("refund"),
        ReviewState::Open,
        None,
        None,
        None,
    ),
    // Open past due.
    (
        "v1",
        150_000,
        500_000,
        Some("refund"),
        ReviewState::Open,
        None,
        None,
        None,
    ),
    // Open, created before `since` and past due: backlog only in the window.
    (
        "v1",
        50_000,
        60_000,
        None,
        ReviewState::Open,
        None,
        None,
        None,
    ),
    (
        "v2",
        600_000,
        700_000,
        None,
        ReviewState::Escalated,
        None,
        None,
        None,
    ),
    // Due exactly now: overdue.
    (
        "v2",
        400_000,
        NOW,
        Some("refund"),
        ReviewState::Open,
        None,
        None,
        None,
    ),
    (
        "v2",
        600_000,
        800_000,
        None,
        ReviewState::Resolved,
        Some(ReviewAction::Approve),
        Some("refund"),
        Some(700_000),
    ),
];

async fn insert_tasks(seeder: &mut Seeder) {
    for &(version, created, due, suggested, state, action, label, resolved_at) in TASKS {
        seeder
            .review_task(&TaskRow {
                run_id: RunId::new(),
                workflow: WORKFLOW,
                version,
                created_at_ms: created,
                due_at_ms: due,
                suggested_label: suggested,
                state,
                action,
                resolved_label: label,
                resolved_at_ms: resolved_at,
            })
            .await;
    }
    // Another workflow's overdue task counts nowhere.
    seeder
        .review_task(&TaskRow {
            run_id: RunId::new(),
            workflow: "other",
            version: "v1",
            created_at_ms: 1,
            due_at_ms: 2,
            suggested_label: None,
            state: ReviewState::Open,
            action: None,
            resolved_label: None,
            resolved_at_ms: None,
        })
        .await;
}

async fn insert_feedback(store: &Store) {
    // (workflow, created_at_ms, label, score, outcome)
    let records = [
        (WORKFLOW, 200_000, Some("card_lost"), Some(4.0), None),
        (WORKFLOW, 300_000, None, Some(2.0), Some("ticket_reopened")),
        (
            WORKFLOW,
            400_000,
            Some("refund"),
            None,
            Some("ticket_reopened"),
        ),
        (WORKFLOW, SINCE, None, None, Some("escalated_to_human")),
        (
            WORKFLOW,
            SINCE - 1,
            Some("x"),
            Some(1.0),
            Some("ticket_reopened"),
        ),
        (
            "other",
            200_000,
            Some("y"),
            Some(5.0),
            Some("ticket_reopened"),
        ),
    ];
    let records: Vec<FeedbackRecord> = records
        .into_iter()
        .enumerate()
        .map(
            |(i, (workflow, created, label, score, outcome))| FeedbackRecord {
                id: FeedbackId::new(),
                run_id: RunId::new(),
                workflow: workflow.into(),
                key: format!("k{i}"),
                label: label.map(Into::into),
                score,
                outcome: outcome.map(Into::into),
                comment: None,
                created_at: at(created),
            },
        )
        .collect();
    for record in records {
        store
            .insert_feedback(record)
            .await
            .expect("insert feedback");
    }
}

fn decision(version: &str, decision: Decision, runs: u64) -> DecisionCount {
    DecisionCount {
        workflow_version: version.into(),
        decision,
        runs,
    }
}

fn review(
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
        suggested: suggested.map(Into::into),
        actual: actual.into(),
        tasks,
    }
}

#[test]
fn quality_counts_equal_the_hand_counted_case() {
    with_database(
        "quality_counts_equal_the_hand_counted_case",
        |db| async move {
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            insert_runs(&store).await;
            let mut seeder = Seeder::connect(&db).await;
            insert_tasks(&mut seeder).await;
            seeder.close().await;
            insert_feedback(&store).await;

            let windowed = store
                .quality_counts(WORKFLOW, Some(at(SINCE)), at(NOW))
                .await
                .expect("windowed counts");
            use Decision::*;
            use ReviewAction::*;
            use ReviewState::*;
            assert_eq!(
                windowed.decisions,
                vec![
                    decision("v1", Auto, 3),
                    decision("v1", Block, 1),
                    decision("v1", Review, 2),
                    decision("v2", Auto, 1),
                    decision("v2", Fallback, 1),
                    decision("v2", Review, 1),
                ]
            );
            assert_eq!(
                windowed.reviews,
                vec![
                    review("v1", Open, None, 2, 1),
                    review("v1", Resolved, Some(Approve), 1, 0),
                    review("v1", Resolved, Some(Override), 2, 1),
                    review("v1", Resolved, Some(Reject), 1, 1),
                    review("v2", Escalated, None, 1, 1),
                    review("v2", Open, None, 1, 1),
                    review("v2", Resolved, Some(Approve), 1, 0),
                ]
            );
            assert_eq!(
                windowed.labels,
                vec![
                    pair("v1", Some("card_lost"), "card_lost", 1),
                    pair("v1", Some("card_lost"), "card_stolen", 2),
                    pair("v2", None, "refund", 1),
                ]
            );
            let backlog = Backlog {
                open: 4,
                escalated: 1,
                overdue: 4,
                oldest_created_at: Some(at(50_000)),
            };
            assert_eq!(windowed.backlog, backlog, "the backlog ignores `since`");
            assert_eq!(
                windowed.feedback,
                FeedbackSummary {
                    records: 4,
                    labelled: 2,
                    mean_score: Some(3.0),
                    outcomes: vec![
                        ("escalated_to_human".into(), 1),
                        ("ticket_reopened".into(), 2),
                    ],
                }
            );

            let everything = store
                .quality_counts(WORKFLOW, None, at(NOW))
                .await
                .expect("all-time counts");
            assert_eq!(everything.decisions[0], decision("v1", Auto, 4));
            assert_eq!(everything.decisions.len(), 6);
            assert_eq!(everything.reviews[0], review("v1", Open, None, 3, 2));
            assert_eq!(everything.reviews[1..], windowed.reviews[1..]);
            assert_eq!(everything.labels, windowed.labels);
            assert_eq!(everything.backlog, backlog);
            assert_eq!(everything.feedback.records, 5);
            assert_eq!(everything.feedback.labelled, 3);
            let mean = everything.feedback.mean_score.expect("scores given");
            assert!((mean - 7.0 / 3.0).abs() < 1e-12, "mean {mean}");
            assert_eq!(
                everything.feedback.outcomes,
                vec![
                    ("escalated_to_human".into(), 1),
                    ("ticket_reopened".into(), 3),
                ]
            );

            // Earlier, the task due now was not overdue yet and fewer breached.
            let earlier = store
                .quality_counts(WORKFLOW, Some(at(SINCE)), at(NOW - 1))
                .await
                .expect("earlier counts");
            assert_eq!(earlier.backlog.overdue, 3);
            assert!(earlier.reviews.contains(&review("v2", Open, None, 1, 0)));
            store.close().await;
        },
    );
}

#[test]
fn quality_counts_of_an_unknown_workflow_are_empty() {
    with_database(
        "quality_counts_of_an_unknown_workflow_are_empty",
        |db| async move {
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            insert_runs(&store).await;
            let counts = store
                .quality_counts("nobody", None, at(NOW))
                .await
                .expect("counts");
            assert_eq!(counts.decisions, vec![]);
            assert_eq!(counts.reviews, vec![]);
            assert_eq!(counts.labels, vec![]);
            assert_eq!(
                counts.backlog,
                Backlog {
                    open: 0,
                    escalated: 0,
                    overdue: 0,
                    oldest_created_at: None,
                }
            );
            assert_eq!(counts.feedback, FeedbackSummary::default());
            store.close().await;
        },
    );
}
