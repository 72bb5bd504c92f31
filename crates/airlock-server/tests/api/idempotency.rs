//! `Idempotency-Key`: retries answer the first run; a different body is a
//! conflict; concurrent retries store one run.

use airlock_testkit::run_on_each_database;
use serde_json::json;

use crate::support::TestServer;

#[test]
fn the_same_key_answers_the_same_run_and_a_different_body_conflicts() {
    run_on_each_database(
        "the_same_key_answers_the_same_run_and_a_different_body_conflicts",
        |db| async move {
            let server = TestServer::start(&db).await;
            let input = json!({"message": "where is my card?"});
            let first = server.run("triage", &input, Some("key-1")).await;
            assert_eq!(first.status, 200);
            assert_eq!(first.body["replayed"], false);
            assert!(first.headers.get("idempotent-replayed").is_none());

            let again = server.run("triage", &input, Some("key-1")).await;
            assert_eq!(again.status, 200);
            assert_eq!(again.body["run_id"], first.body["run_id"]);
            assert_eq!(again.body["replayed"], true);
            assert_eq!(
                again
                    .headers
                    .get("idempotent-replayed")
                    .and_then(|v| v.to_str().ok()),
                Some("true")
            );
            assert_eq!(again.body["output"], first.body["output"]);

            let conflict = server
                .run(
                    "triage",
                    &json!({"message": "something else"}),
                    Some("key-1"),
                )
                .await;
            conflict.assert_error(409, "conflict");
            assert_eq!(conflict.field(), "Idempotency-Key");

            // Keys are per workflow.
            let other = server
                .run("strict", &json!({"text": "hi"}), Some("key-1"))
                .await;
            assert_eq!(other.status, 200);
            assert_eq!(other.body["replayed"], false);

            // A rejected input replays as the same 400 with the same run.
            let bad = json!({"message": 7});
            let rejected = server.run("triage", &bad, Some("key-bad")).await;
            rejected.assert_error(400, "invalid_input");
            let replayed = server.run("triage", &bad, Some("key-bad")).await;
            replayed.assert_error(400, "invalid_input");
            assert_eq!(
                replayed.body["error"]["run_id"],
                rejected.body["error"]["run_id"]
            );
            assert_eq!(
                replayed
                    .headers
                    .get("idempotent-replayed")
                    .and_then(|v| v.to_str().ok()),
                Some("true")
            );
            let quarantined = server.get("/v1/quarantine?workflow=triage").await;
            assert_eq!(
                quarantined.body["items"].as_array().map(Vec::len),
                Some(1),
                "quarantined once"
            );

            let bad_key = server.run("triage", &input, Some("has space")).await;
            bad_key.assert_error(400, "invalid_input");
            assert_eq!(bad_key.field(), "Idempotency-Key");
            server.stop().await;
        },
    );
}

#[test]
fn concurrent_requests_with_one_key_store_one_run() {
    run_on_each_database(
        "concurrent_requests_with_one_key_store_one_run",
        |db| async move {
            let server = std::sync::Arc::new(TestServer::start(&db).await);
            let input = json!({"message": "where is my card?", "channel": "email"});
            let mut tasks = Vec::new();
            for _ in 0..8 {
                let server = server.clone();
                let input = input.clone();
                tasks.push(tokio::spawn(async move {
                    server.run("triage", &input, Some("concurrent-key")).await
                }));
            }
            let mut run_ids = Vec::new();
            let mut fresh = 0;
            for task in tasks {
                let answer = task.await.expect("the request task completes");
                assert_eq!(answer.status, 200, "{:#}", answer.body);
                if answer.body["replayed"] == false {
                    fresh += 1;
                }
                run_ids.push(answer.body["run_id"].clone());
            }
            run_ids.dedup();
            assert_eq!(
                run_ids.len(),
                1,
                "every request answers the same run: {run_ids:?}"
            );
            assert_eq!(fresh, 1, "exactly one request created the run");

            let runs = server.get("/v1/runs?workflow=triage").await;
            let stored = runs.body["items"].as_array().expect("items");
            assert_eq!(stored.len(), 1, "one run stored: {:#}", runs.body);
            assert_eq!(stored[0]["idempotency_key"], "concurrent-key");

            let server =
                std::sync::Arc::into_inner(server).expect("every request task has finished");
            server.stop().await;
        },
    );
}
