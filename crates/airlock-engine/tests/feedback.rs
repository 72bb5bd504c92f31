//! Feedback on both databases: idempotent by key (a retry returns the
//! stored record, a different body under the same key is a conflict, also
//! under concurrent retries), keys are per run, unknown runs and invalid
//! bodies are refused before anything is stored.

mod support;

use std::sync::Arc;

use airlock_core::{Durability, ErrorKind, RunId};
use airlock_engine::{Engine, FeedbackRequest, RunRequest};
use airlock_store::{FeedbackFilter, Store};
use airlock_testkit::{run_on_each_database, TestDatabase};
use serde_json::json;
use support::{write_workflows, FakeModels};

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

async fn run(engine: &Engine, message: &str) -> RunId {
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
        .id
}

fn request(key: &str) -> FeedbackRequest {
    FeedbackRequest {
        key: key.into(),
        label: Some("fraud".into()),
        score: Some(1.5),
        outcome: Some("ticket_reopened".into()),
        comment: Some("the customer called back".into()),
    }
}

fn for_run(run: RunId) -> FeedbackFilter {
    FeedbackFilter {
        run_id: Some(run),
        ..FeedbackFilter::default()
    }
}

#[test]
fn feedback_is_idempotent_by_key() {
    run_on_each_database("feedback_is_idempotent_by_key", |db| async move {
        let f = fixture(&db).await;
        let run_id = run(&f.engine, "my balance please").await;

        let (first, replayed) = f
            .engine
            .add_feedback(run_id, request("k-1"))
            .await
            .expect("created");
        assert!(!replayed);
        assert_eq!(first.run_id, run_id);
        assert_eq!(first.workflow, "triage");
        assert_eq!(first.label.as_deref(), Some("fraud"));
        assert_eq!(first.score, Some(1.5));

        let (again, replayed) = f
            .engine
            .add_feedback(run_id, request("k-1"))
            .await
            .expect("retry");
        assert!(replayed, "the same key and body is a retry");
        assert_eq!(again, first, "the stored record, unchanged");

        let err = f
            .engine
            .add_feedback(
                run_id,
                FeedbackRequest {
                    score: Some(2.0),
                    ..request("k-1")
                },
            )
            .await
            .expect_err("same key, other body");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert_eq!(err.field(), Some("key"));
        assert!(err.message().contains("`k-1`"), "{}", err.message());

        let page = f
            .engine
            .list_feedback(&for_run(run_id))
            .await
            .expect("list");
        assert_eq!(page.items, vec![first.clone()], "one record for the key");

        // Keys are per run: another run may use the same one.
        let other = run(&f.engine, "there is fraud on my card").await;
        let (on_other, replayed) = f
            .engine
            .add_feedback(other, request("k-1"))
            .await
            .expect("other run");
        assert!(!replayed);
        assert_ne!(on_other.id, first.id);

        let (outcome_only, _) = f
            .engine
            .add_feedback(
                other,
                FeedbackRequest {
                    key: "k-2".into(),
                    label: None,
                    score: None,
                    outcome: Some("resolved_first_contact".into()),
                    comment: None,
                },
            )
            .await
            .expect("an outcome alone is feedback");
        let labelled = f
            .engine
            .list_feedback(&FeedbackFilter {
                workflow: Some("triage".into()),
                labelled: true,
                ..FeedbackFilter::default()
            })
            .await
            .expect("list labelled");
        assert_eq!(labelled.items.len(), 2);
        assert!(labelled.items.iter().all(|r| r.id != outcome_only.id));
    });
}

#[test]
fn concurrent_retries_store_one_record() {
    run_on_each_database("concurrent_retries_store_one_record", |db| async move {
        let f = fixture(&db).await;
        let run_id = run(&f.engine, "my balance please").await;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let engine = f.engine.clone();
                tokio::spawn(async move { engine.add_feedback(run_id, request("race")).await })
            })
            .collect();
        let mut created = 0;
        let mut ids = Vec::new();
        for task in tasks {
            let (record, replayed) = task.await.expect("task").expect("feedback");
            created += usize::from(!replayed);
            ids.push(record.id);
        }
        assert_eq!(created, 1, "exactly one request created the record");
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        let page = f
            .engine
            .list_feedback(&for_run(run_id))
            .await
            .expect("list");
        assert_eq!(page.items.len(), 1);
    });
}

#[test]
fn unknown_runs_and_invalid_bodies_store_nothing() {
    run_on_each_database(
        "unknown_runs_and_invalid_bodies_store_nothing",
        |db| async move {
            let f = fixture(&db).await;
            let missing = RunId::new();
            let err = f
                .engine
                .add_feedback(missing, request("k"))
                .await
                .expect_err("no such run");
            assert_eq!(err.kind(), ErrorKind::NotFound);
            assert!(
                err.message().contains(&missing.to_string()),
                "{}",
                err.message()
            );

            let run_id = run(&f.engine, "my balance please").await;
            let bad = [
                (
                    FeedbackRequest {
                        key: "has space".into(),
                        ..request("k")
                    },
                    "key",
                ),
                (
                    FeedbackRequest {
                        label: None,
                        score: None,
                        outcome: None,
                        ..request("k")
                    },
                    "label",
                ),
                (
                    FeedbackRequest {
                        score: Some(f64::NAN),
                        ..request("k")
                    },
                    "score",
                ),
            ];
            for (body, field) in bad {
                let err = f
                    .engine
                    .add_feedback(run_id, body)
                    .await
                    .expect_err("invalid");
                assert_eq!(err.kind(), ErrorKind::InvalidInput);
                assert_eq!(err.field(), Some(field));
            }
            let page = f
                .engine
                .list_feedback(&for_run(run_id))
                .await
                .expect("list");
            assert!(page.items.is_empty(), "{:?}", page.items);
        },
    );
}
