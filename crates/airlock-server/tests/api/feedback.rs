//! Feedback on runs over HTTP: created once per key (201, then 200 with
//! `replayed` for the same body, 409 for another), listed per run, and
//! every mistake named.

use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};

use crate::support::TestServer;

#[test]
fn feedback_is_idempotent_by_key_and_listed_per_run() {
    run_on_each_database(
        "feedback_is_idempotent_by_key_and_listed_per_run",
        |db| async move {
            let server = TestServer::start(&db).await;
            let run = server
                .run_ok("triage", &json!({"message": "where is my card?"}))
                .await;
            let run_id = run["run_id"].as_str().expect("run_id").to_string();
            let path = format!("/v1/runs/{run_id}/feedback");
            let body = json!({"key": "crm-1", "outcome": "ticket_reopened", "score": 2,
                              "comment": "customer wrote again"});

            let created = server.post(&path, &body).await;
            assert_eq!(created.status, 201, "{:#}", created.body);
            assert_eq!(created.body["run_id"], run_id.as_str());
            assert_eq!(created.body["workflow"], "triage");
            assert_eq!(created.body["key"], "crm-1");
            assert_eq!(created.body["outcome"], "ticket_reopened");
            assert_eq!(created.body["score"], 2.0);
            assert_eq!(created.body["label"], Value::Null);
            assert_eq!(created.body["replayed"], false);
            assert_eq!(
                created
                    .headers
                    .get("location")
                    .and_then(|v| v.to_str().ok()),
                Some(path.as_str())
            );

            let replayed = server.post(&path, &body).await;
            assert_eq!(replayed.status, 200, "{:#}", replayed.body);
            assert_eq!(replayed.body["replayed"], true);
            assert_eq!(replayed.body["feedback_id"], created.body["feedback_id"]);
            assert_eq!(
                replayed
                    .headers
                    .get("idempotent-replayed")
                    .and_then(|v| v.to_str().ok()),
                Some("true")
            );
            let changed = server
                .post(&path, &json!({"key": "crm-1", "outcome": "resolved"}))
                .await;
            changed.assert_error(409, "conflict");
            assert_eq!(changed.field(), "key");

            let labelled = server
                .post(&path, &json!({"key": "crm-2", "label": "card_arrival"}))
                .await;
            assert_eq!(labelled.status, 201, "{:#}", labelled.body);

            let list = server.get(&path).await;
            assert_eq!(list.status, 200, "{:#}", list.body);
            let keys: Vec<&str> = list.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|f| f["key"].as_str().unwrap_or_default())
                .collect();
            assert_eq!(keys, ["crm-2", "crm-1"], "newest first");
            let only_labelled = server.get(&format!("{path}?labelled=true")).await;
            assert_eq!(
                only_labelled.body["items"].as_array().map(Vec::len),
                Some(1)
            );
            let page = server.get(&format!("{path}?limit=1")).await;
            let cursor = page.body["next_cursor"].as_str().expect("a second page");
            let next = server.get(&format!("{path}?limit=1&cursor={cursor}")).await;
            assert_eq!(next.body["items"][0]["key"], "crm-1");
            server.stop().await;
        },
    );
}

#[test]
fn feedback_mistakes_are_named() {
    run_on_each_database("feedback_mistakes_are_named", |db| async move {
        let server = TestServer::start(&db).await;
        let run = server
            .run_ok("triage", &json!({"message": "where is my card?"}))
            .await;
        let path = format!("/v1/runs/{}/feedback", run["run_id"].as_str().expect("id"));
        for (body, field) in [
            (json!({"outcome": "x"}), "key"),
            (json!({"key": "k"}), "label"),
            (json!({"key": "k", "score": "high"}), "score"),
            (json!({"key": "has space", "score": 1}), "key"),
            (json!({"key": "k", "score": 1, "rating": 5}), "rating"),
            (json!({"key": "k", "label": ""}), "label"),
        ] {
            let answer = server.post(&path, &body).await;
            answer.assert_error(400, "invalid_input");
            assert_eq!(answer.field(), field, "{body}: {:#}", answer.body);
        }
        let unknown = "/v1/runs/01J9ZQ3V6T8K2M4N5P7R9S1T3V/feedback";
        let answer = server.post(unknown, &json!({"key": "k", "score": 1})).await;
        answer.assert_error(404, "not_found");
        server.get(unknown).await.assert_error(404, "not_found");
        let bad_id = server.get("/v1/runs/nope/feedback").await;
        bad_id.assert_error(400, "invalid_input");
        assert_eq!(bad_id.field(), "id");
        let bad_param = server.get(&format!("{path}?labeled=true")).await;
        bad_param.assert_error(400, "invalid_input");
        assert_eq!(bad_param.field(), "labeled");
        server.stop().await;
    });
}
