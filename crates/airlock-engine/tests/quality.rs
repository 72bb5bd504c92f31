//! Quality from people's decisions, on both databases: a small fixed case
//! (runs with known decisions, review tasks resolved with known actions
//! and labels, feedback) whose every figure is computed by hand below.

mod support;

use std::sync::Arc;

use airlock_core::{Durability, ReviewAction, ReviewId, RunId, RunRecord, Timestamp};
use airlock_engine::{
    set_quality_gauges, DecisionTally, Engine, FeedbackRequest, LabelQuality, ResolveRequest,
    ReviewTally, RunRequest,
};
use airlock_store::Store;
use airlock_testkit::{run_on_each_database, TestDatabase};
use serde_json::json;
use support::{write_workflows, FakeModels};

const HOUR_MS: i64 = 60 * 60 * 1000;

struct Fixture {
    engine: Engine,
    _dir: tempfile::TempDir,
}

async fn fixture(db: &TestDatabase) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    write_workflows(dir.path());
    let workflows = airlock_workflow::load_dir(dir.path()).expect("test workflows load");
    let store = Store::connect(&db.url, Durability::Fsync)
        .await
        .expect("connect");
    Fixture {
        engine: Engine::new(workflows, store, Arc::new(FakeModels::default()))
            .expect("the engine builds"),
        _dir: dir,
    }
}

async fn run(engine: &Engine, message: &str) -> RunRecord {
    engine
        .run(RunRequest {
            workflow: "triage".into(),
            input: json!({ "message": message }),
            idempotency_key: None,
            key_id: None,
        })
        .await
        .expect("run")
        .run
}

fn review_of(run: &RunRecord) -> ReviewId {
    run.review_id
        .unwrap_or_else(|| panic!("run {} has no review task: {run:#?}", run.id))
}

fn resolve(
    action: ReviewAction,
    label: Option<&str>,
    output: Option<serde_json::Value>,
) -> ResolveRequest {
    ResolveRequest {
        reviewer: "ann".into(),
        action,
        output,
        label: label.map(str::to_string),
        reason: (action != ReviewAction::Approve).then(|| "checked by hand".to_string()),
    }
}

fn after(at: Timestamp, ms: i64) -> Timestamp {
    Timestamp::from_unix_ms(at.unix_ms() + ms).expect("in range")
}

async fn feedback(engine: &Engine, run: RunId, request: FeedbackRequest) {
    engine.add_feedback(run, request).await.expect("feedback");
}

fn feedback_request(key: &str) -> FeedbackRequest {
    FeedbackRequest {
        key: key.into(),
        label: None,
        score: None,
        outcome: None,
        comment: None,
    }
}

/// 9 runs: 2 auto, 1 fallback, 1 block, 5 review. The reviews: r1
/// (suggested fraud) approved; r2 (suggested fraud) overridden to balance;
/// r3 (suggested balance) approved 25 h after creation, past its 24 h SLA;
/// r4 (suggested balance) rejected; r5 left open and judged 48 h later,
/// past due. Feedback: a label and score 4 on an auto run, outcome
/// `ticket_reopened` with score 2 on r1, the same outcome on r2.
#[test]
fn quality_metrics_equal_hand_computed_values() {
    run_on_each_database(
        "quality_metrics_equal_hand_computed_values",
        |db| async move {
            let f = fixture(&db).await;
            let e = &f.engine;
            let auto = run(e, "my balance please").await;
            run(e, "my balance again").await;
            run(e, "balance FAILGEN").await;
            run(e, "   ").await;
            let r1 = run(e, "there is fraud on my card").await;
            let r2 = run(e, "fraud, or so I think").await;
            let r3 = run(e, "maybe my balance").await;
            let r4 = run(e, "maybe my balance is wrong").await;
            let r5 = run(e, "maybe my balance is late").await;

            let soon = after(r5.created_at, 1_000);
            e.resolve_review_at(
                review_of(&r1),
                resolve(ReviewAction::Approve, None, None),
                soon,
            )
            .await
            .expect("approve r1");
            let corrected = json!({"intent": "balance", "reply": "Here is your balance."});
            e.resolve_review_at(
                review_of(&r2),
                resolve(ReviewAction::Override, Some("balance"), Some(corrected)),
                soon,
            )
            .await
            .expect("override r2");
            let late = after(r3.created_at, 25 * HOUR_MS);
            e.resolve_review_at(
                review_of(&r3),
                resolve(ReviewAction::Approve, None, None),
                late,
            )
            .await
            .expect("approve r3 late");
            e.resolve_review_at(
                review_of(&r4),
                resolve(ReviewAction::Reject, None, None),
                soon,
            )
            .await
            .expect("reject r4");

            feedback(
                e,
                auto.id,
                FeedbackRequest {
                    label: Some("balance".into()),
                    score: Some(4.0),
                    ..feedback_request("f1")
                },
            )
            .await;
            feedback(
                e,
                r1.id,
                FeedbackRequest {
                    outcome: Some("ticket_reopened".into()),
                    score: Some(2.0),
                    ..feedback_request("f2")
                },
            )
            .await;
            feedback(
                e,
                r2.id,
                FeedbackRequest {
                    outcome: Some("ticket_reopened".into()),
                    ..feedback_request("f3")
                },
            )
            .await;

            let now = after(r5.created_at, 48 * HOUR_MS);
            let report = e.quality_at("triage", None, now).await.expect("quality");
            let t = &report.totals;
            assert_eq!(t.runs, 9);
            assert_eq!(
                t.decisions,
                DecisionTally {
                    auto: 2,
                    review: 5,
                    fallback: 1,
                    block: 1
                }
            );
            assert_eq!(t.automation_rate, Some(2.0 / 9.0));
            assert_eq!(t.review_rate, Some(5.0 / 9.0));
            assert_eq!(t.fallback_rate, Some(1.0 / 9.0));
            assert_eq!(t.block_rate, Some(1.0 / 9.0));
            assert_eq!(
                t.reviews,
                ReviewTally {
                    created: 5,
                    open: 1,
                    escalated: 0,
                    resolved: 4,
                    approved: 2,
                    overridden: 1,
                    rejected: 1,
                    sla_breaches: 2,
                },
                "r3 resolved late and r5 open past due"
            );
            assert_eq!(t.override_rate, Some(0.25));
            assert_eq!(t.reject_rate, Some(0.25));
            assert_eq!((t.labelled_reviews, t.correct_suggestions), (3, 2));
            assert_eq!(t.suggestion_accuracy, Some(2.0 / 3.0));
            assert_eq!(
                t.labels,
                vec![
                    LabelQuality {
                        label: "balance".into(),
                        suggested: 1,
                        actual: 2,
                        correct: 1,
                        precision: Some(1.0),
                        recall: Some(0.5),
                    },
                    LabelQuality {
                        label: "fraud".into(),
                        suggested: 2,
                        actual: 1,
                        correct: 1,
                        precision: Some(0.5),
                        recall: Some(1.0),
                    },
                ]
            );

            assert_eq!(report.versions.len(), 1, "one workflow version");
            let version = &report.versions[0];
            assert_eq!(version.workflow_version, report.current_version);
            assert_eq!(
                &version.figures, t,
                "one version: its figures are the totals"
            );

            let b = &report.backlog;
            assert_eq!((b.size, b.open, b.escalated, b.overdue), (1, 1, 0, 1));
            assert_eq!(b.oldest_created_at, Some(r5.created_at));
            assert_eq!(b.oldest_age_seconds, 48.0 * 3600.0);

            let fb = &report.feedback;
            assert_eq!((fb.records, fb.labelled), (3, 1));
            assert_eq!(fb.mean_score, Some(3.0));
            assert_eq!(fb.outcomes.get("ticket_reopened"), Some(&2));
            assert_eq!(fb.outcomes.len(), 1);

            // Nothing was created after `since`; the backlog is still today's.
            let later = e
                .quality_at("triage", Some(after(now, HOUR_MS)), now)
                .await
                .expect("quality since");
            assert_eq!(later.totals.runs, 0);
            assert_eq!(later.totals.automation_rate, None);
            assert_eq!(later.totals.reviews.created, 0);
            assert_eq!(later.totals.suggestion_accuracy, None);
            assert!(later.versions.is_empty());
            assert_eq!(later.backlog.size, 1);

            // The gauges the server refreshes carry the same numbers.
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::with_local_recorder(&recorder, || set_quality_gauges(&report));
            let text = handle.render();
            for line in [
                "airlock_review_backlog{workflow=\"triage\"} 1",
                "airlock_review_backlog_oldest_seconds{workflow=\"triage\"} 172800",
                "airlock_review_sla_breaches{workflow=\"triage\"} 2",
                "airlock_override_rate{workflow=\"triage\"} 0.25",
            ] {
                assert!(text.lines().any(|l| l == line), "no `{line}` in:\n{text}");
            }
            let rate = |name: &str| -> f64 {
                let prefix = format!("{name}{{workflow=\"triage\"}} ");
                text.lines()
                    .find_map(|l| l.strip_prefix(prefix.as_str()))
                    .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
                    .parse()
                    .expect("a number")
            };
            assert!((rate("airlock_automation_rate") - 2.0 / 9.0).abs() < 1e-12);
            assert!((rate("airlock_suggestion_accuracy") - 2.0 / 3.0).abs() < 1e-12);
        },
    );
}

#[test]
fn quality_of_an_unknown_workflow_is_not_found() {
    run_on_each_database(
        "quality_of_an_unknown_workflow_is_not_found",
        |db| async move {
            let f = fixture(&db).await;
            let err = f.engine.quality("nope", None).await.expect_err("unknown");
            assert_eq!(err.kind(), airlock_core::ErrorKind::NotFound);
            assert!(err.message().contains("nope"), "{}", err.message());
            let empty = f.engine.quality("strict", None).await.expect("no runs yet");
            assert_eq!(empty.totals.runs, 0);
            assert_eq!(empty.totals.automation_rate, None);
            assert_eq!(empty.backlog.size, 0);
            assert_eq!(empty.backlog.oldest_age_seconds, 0.0);
        },
    );
}

#[test]
fn the_timeline_keeps_runs_stamped_at_its_end_and_drops_runs_before_its_start() {
    run_on_each_database(
        "the_timeline_keeps_runs_stamped_at_its_end_and_drops_runs_before_its_start",
        |db| async move {
            let f = fixture(&db).await;
            let first = run(&f.engine, "hello").await;
            let second = run(&f.engine, "hello again").await;
            let last = run(&f.engine, "hello once more").await;
            let bucket = std::time::Duration::from_secs(600);
            let runs = |t: &airlock_engine::Timeline| -> Vec<u64> {
                t.buckets.iter().map(|b| b.decisions.total()).collect()
            };
            // `until` is the newest run's own stamp (a request in the same
            // millisecond as the run, or a clock that stepped back).
            let since = after(last.created_at, -HOUR_MS);
            let timeline = f
                .engine
                .timeline("triage", since, last.created_at, bucket)
                .await
                .expect("timeline");
            assert_eq!(timeline.buckets.len(), 6);
            assert_eq!(runs(&timeline).iter().sum::<u64>(), 3, "{timeline:#?}");
            assert!(*runs(&timeline).last().expect("a bucket") >= 1);
            // A start after the first run leaves it out.
            let since = after(first.created_at, 1);
            let until = after(last.created_at, 1);
            let timeline = f
                .engine
                .timeline("triage", since, until, bucket)
                .await
                .expect("timeline");
            // (runs in the first run's millisecond are left out with it)
            let expected = [&first, &second, &last]
                .iter()
                .filter(|r| r.created_at >= since)
                .count() as u64;
            assert_eq!(
                runs(&timeline).iter().sum::<u64>(),
                expected,
                "{timeline:#?}"
            );
        },
    );
}
