//! The runtime end to end on both databases: every decision, contract
//! violations and quarantine, failed steps, output contracts, idempotency.

mod support;

use airlock_core::{Decision, Durability, ErrorKind, RunStatus};
use airlock_engine::{Engine, RunRequest, INPUT_CONTRACT_RULE, STEP_FAILED_RULE};
use airlock_store::{QuarantineFilter, RunFilter, Store};
use airlock_testkit::{run_on_each_database, TestDatabase};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use support::{write_workflows, FakeModels};

struct Fixture {
    engine: Engine,
    models: Arc<FakeModels>,
    _dir: tempfile::TempDir,
}

async fn fixture(db: &TestDatabase) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    write_workflows(dir.path());
    let workflows = airlock_workflow::load_dir(dir.path()).unwrap_or_else(|problems| {
        panic!(
            "{}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let store = Store::connect(&db.url, Durability::Fsync)
        .await
        .expect("connect");
    let models = Arc::new(FakeModels::default());
    let engine = Engine::new(workflows, store, models.clone()).expect("the engine builds");
    Fixture {
        engine,
        models,
        _dir: dir,
    }
}

fn request(workflow: &str, input: Value) -> RunRequest {
    RunRequest {
        workflow: workflow.into(),
        input,
        idempotency_key: None,
        key_id: None,
    }
}

#[test]
fn every_decision_is_reached_and_recorded() {
    run_on_each_database("every_decision_is_reached_and_recorded", |db| async move {
        let f = fixture(&db).await;
        let cases = [
            ("my balance please", Decision::Auto, "default"),
            (
                "there is fraud on my card",
                Decision::Review,
                "risky-intent",
            ),
            ("maybe my balance", Decision::Review, "low-confidence"),
            ("balance FAILGEN", Decision::Fallback, "generation-failed"),
        ];
        for (message, decision, rule) in cases {
            let outcome = f
                .engine
                .run(request("triage", json!({ "message": message })))
                .await
                .expect("run");
            let run = &outcome.run;
            assert_eq!(run.decision, decision, "{message}: {run:#?}");
            assert_eq!(run.rule.as_deref(), Some(rule), "{message}");
            assert_eq!(run.status, RunStatus::Completed);
            assert!(outcome.input_error().is_none());
            let stored = f.engine.get_run(run.id).await.expect("stored");
            assert_eq!(&stored, run, "the answer is what was committed");
        }
        let auto = f
            .engine
            .list_runs(&RunFilter {
                decision: Some(Decision::Auto),
                ..Default::default()
            })
            .await
            .expect("list");
        let run = &auto.items[0];
        assert_eq!(
            run.output,
            Some(json!({"intent": "balance", "reply": "Reply: my balance please"}))
        );
        assert_eq!(run.confidence, Some(0.95));
        assert_eq!(
            run.models,
            vec!["classifiers/fake.json@fake", "fake-generator@0"]
        );
        let names: Vec<(&str, bool)> = run
            .steps
            .iter()
            .map(|s| (s.name.as_str(), s.skipped))
            .collect();
        assert_eq!(
            names,
            vec![
                ("validate", false),
                ("intent", false),
                ("risky", false),
                ("reply", false),
                ("canned", true)
            ]
        );

        let fallback = f
            .engine
            .list_runs(&RunFilter {
                decision: Some(Decision::Fallback),
                ..Default::default()
            })
            .await
            .expect("list");
        let run = &fallback.items[0];
        let reply = run.steps.iter().find(|s| s.name == "reply").expect("reply");
        assert!(reply
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("told to fail"));
        assert_eq!(
            run.output,
            Some(json!({"intent": "balance", "reply": "Thanks, a person will get back to you."}))
        );
    });
}

#[test]
fn a_contract_violation_is_blocked_quarantined_and_names_the_field() {
    run_on_each_database(
        "a_contract_violation_is_blocked_quarantined_and_names_the_field",
        |db| async move {
            let f = fixture(&db).await;
            let outcome = f
                .engine
                .run(request(
                    "triage",
                    json!({"message": "hi", "email": "not-an-email", "amount": 5000}),
                ))
                .await
                .expect("run is recorded");
            assert_eq!(outcome.run.decision, Decision::Block);
            assert_eq!(outcome.run.rule.as_deref(), Some("invalid-input"));
            assert_eq!(outcome.run.output, None);
            let error = outcome.input_error().expect("input rejected");
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert!(
                error.message().contains("/email") && error.message().contains("/amount"),
                "{}",
                error.message()
            );
            assert!(
                matches!(error.field(), Some("/email") | Some("/amount")),
                "{:?}",
                error.field()
            );
            // Nothing after validate ran, so no model was called.
            assert_eq!(f.models.classify_calls.load(Ordering::SeqCst), 0);
            assert!(outcome.run.steps[1..].iter().all(|s| s.skipped));

            // A blank message passes the schema and fails the CEL check.
            let blank = f
                .engine
                .run(request("triage", json!({"message": "   "})))
                .await
                .expect("run");
            let error = blank.input_error().expect("blank rejected");
            assert!(
                error.message().contains("message must not be blank"),
                "{}",
                error.message()
            );

            let quarantined = f
                .engine
                .list_quarantine(&QuarantineFilter {
                    workflow: Some("triage".into()),
                    ..Default::default()
                })
                .await
                .expect("quarantine");
            assert_eq!(quarantined.items.len(), 2);
            let first = &quarantined.items[1];
            assert_eq!(first.input["email"], json!("not-an-email"));
            assert!(first.reason.contains("email"), "{}", first.reason);
            assert!(first.field.is_some());
            assert_eq!(
                f.engine
                    .get_run(outcome.run.id)
                    .await
                    .expect("stored")
                    .decision,
                Decision::Block
            );
        },
    );
}

#[test]
fn without_a_validate_step_the_engine_still_enforces_the_input_contract() {
    run_on_each_database(
        "without_a_validate_step_the_engine_still_enforces_the_input_contract",
        |db| async move {
            let f = fixture(&db).await;
            let outcome = f
                .engine
                .run(request("strict", json!({"msg": "typo"})))
                .await
                .expect("run");
            assert_eq!(outcome.run.decision, Decision::Block);
            assert_eq!(outcome.run.rule.as_deref(), Some(INPUT_CONTRACT_RULE));
            let error = outcome.input_error().expect("rejected");
            assert!(error.message().contains("message"), "{}", error.message());
            assert_eq!(f.models.generate_calls.load(Ordering::SeqCst), 0);
            let quarantined = f
                .engine
                .list_quarantine(&QuarantineFilter::default())
                .await
                .expect("q");
            assert_eq!(quarantined.items.len(), 1);
        },
    );
}

#[test]
fn a_failing_step_fails_the_run_and_blocks_it_but_keeps_the_record() {
    run_on_each_database(
        "a_failing_step_fails_the_run_and_blocks_it_but_keeps_the_record",
        |db| async move {
            let f = fixture(&db).await;
            let outcome = f
                .engine
                .run(request("strict", json!({"message": "FAILGEN"})))
                .await
                .expect("a failed run is still recorded");
            let run = &outcome.run;
            assert_eq!(run.status, RunStatus::Failed);
            assert_eq!(run.decision, Decision::Block);
            assert_eq!(run.rule.as_deref(), Some(STEP_FAILED_RULE));
            assert!(
                run.error
                    .as_deref()
                    .unwrap_or_default()
                    .contains("step `reply` failed"),
                "{:?}",
                run.error
            );
            assert_eq!(run.output, None);
            assert!(outcome.input_error().is_none());
            assert_eq!(
                f.engine.get_run(run.id).await.expect("stored").status,
                RunStatus::Failed
            );

            let bad = f
                .engine
                .run(request("strict", json!({"message": "badoutput"})))
                .await
                .expect("recorded");
            assert_eq!(bad.run.status, RunStatus::Failed);
            let error = bad.run.error.as_deref().unwrap_or_default();
            assert!(
                error.contains("output contract") && error.contains("/reply"),
                "{error}"
            );
        },
    );
}

#[test]
fn an_idempotency_key_gives_one_run_even_under_concurrency() {
    run_on_each_database(
        "an_idempotency_key_gives_one_run_even_under_concurrency",
        |db| async move {
            let f = fixture(&db).await;
            let keyed = |key: &str, message: &str| RunRequest {
                workflow: "triage".into(),
                input: json!({ "message": message }),
                idempotency_key: Some(key.into()),
                key_id: None,
            };
            let first = f
                .engine
                .run(keyed("k-1", "my balance"))
                .await
                .expect("first");
            assert!(!first.replayed);
            let again = f
                .engine
                .run(keyed("k-1", "my balance"))
                .await
                .expect("retry");
            assert!(again.replayed);
            assert_eq!(again.run, first.run);
            assert_eq!(
                f.models.classify_calls.load(Ordering::SeqCst),
                1,
                "a replay runs nothing"
            );

            let conflict = f
                .engine
                .run(keyed("k-1", "something else"))
                .await
                .expect_err("conflict");
            assert_eq!(conflict.kind(), ErrorKind::Conflict);
            assert_eq!(conflict.field(), Some("Idempotency-Key"));

            let bad = f
                .engine
                .run(keyed("has space", "x"))
                .await
                .expect_err("bad key");
            assert_eq!(bad.kind(), ErrorKind::InvalidInput);

            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let engine = f.engine.clone();
                    tokio::spawn(async move { engine.run(keyed("k-race", "race balance")).await })
                })
                .collect();
            let mut ids = Vec::new();
            for task in tasks {
                ids.push(task.await.expect("join").expect("run").run.id);
            }
            ids.dedup();
            assert_eq!(ids.len(), 1, "every racer got the same run");
            let all = f
                .engine
                .list_runs(&RunFilter {
                    limit: Some(100),
                    ..Default::default()
                })
                .await
                .expect("list");
            let raced = all
                .items
                .iter()
                .filter(|r| r.idempotency_key.as_deref() == Some("k-race"))
                .count();
            assert_eq!(raced, 1, "one run stored");
        },
    );
}

#[test]
fn an_unknown_workflow_is_not_found_and_lists_the_known_ones() {
    run_on_each_database(
        "an_unknown_workflow_is_not_found_and_lists_the_known_ones",
        |db| async move {
            let f = fixture(&db).await;
            let err = f
                .engine
                .run(request("nope", json!({})))
                .await
                .expect_err("unknown");
            assert_eq!(err.kind(), ErrorKind::NotFound);
            assert!(
                err.hint().unwrap_or_default().contains("strict, triage"),
                "{:?}",
                err.hint()
            );
            assert!(f.engine.readiness().await.is_ready());
        },
    );
}
