//! `GET /v1/workflows/{name}/quality` over HTTP: the figures follow the
//! runs and reviews made through the API.

use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};

use crate::support::TestServer;

#[test]
fn quality_counts_runs_reviews_and_feedback() {
    run_on_each_database(
        "quality_counts_runs_reviews_and_feedback",
        |db| async move {
            let server = TestServer::start(&db).await;
            let empty = server.get("/v1/workflows/triage/quality").await;
            assert_eq!(empty.status, 200, "{:#}", empty.body);
            assert_eq!(empty.body["totals"]["runs"], 0);
            assert_eq!(
                empty.body["totals"]["automation_rate"],
                Value::Null,
                "0/0 is null"
            );

            let auto = server
                .run_ok("triage", &json!({"message": "where is my card?"}))
                .await;
            let stolen = server
                .run_ok("triage", &json!({"message": "my card was stolen"}))
                .await;
            server
                .run_ok("triage", &json!({"message": "unsure what this is"}))
                .await;
            let review = stolen["review_id"].as_str().expect("a task");
            let overridden = server
                .post(
                    &format!("/v1/reviews/{review}/resolve"),
                    &json!({"reviewer": "ann", "action": "override", "reason": "not stolen",
                        "output": {"intent": "card_arrival", "reply": "It is on its way."}}),
                )
                .await;
            assert_eq!(overridden.status, 200, "{:#}", overridden.body);
            let feedback = server
                .post(
                    &format!("/v1/runs/{}/feedback", auto["run_id"].as_str().expect("id")),
                    &json!({"key": "k1", "score": 4, "outcome": "ticket_closed"}),
                )
                .await;
            assert_eq!(feedback.status, 201, "{:#}", feedback.body);

            let report = server.get("/v1/workflows/triage/quality").await;
            assert_eq!(report.status, 200, "{:#}", report.body);
            let totals = &report.body["totals"];
            assert_eq!(report.body["workflow"], "triage");
            assert_eq!(report.body["current_version"], auto["workflow_version"]);
            assert_eq!(totals["runs"], 3);
            assert_eq!(
                totals["decisions"],
                json!({"auto": 1, "review": 2, "fallback": 0, "block": 0})
            );
            assert_eq!(totals["automation_rate"].as_f64(), Some(1.0 / 3.0));
            assert_eq!(totals["reviews"]["created"], 2);
            assert_eq!(totals["reviews"]["resolved"], 1);
            assert_eq!(totals["reviews"]["overridden"], 1);
            assert_eq!(totals["override_rate"], 1.0);
            assert_eq!(totals["labelled_reviews"], 1);
            assert_eq!(
                totals["suggestion_accuracy"], 0.0,
                "the suggestion was wrong"
            );
            assert_eq!(report.body["backlog"]["size"], 1);
            assert_eq!(report.body["feedback"]["records"], 1);
            assert_eq!(report.body["feedback"]["mean_score"], 4.0);
            assert_eq!(
                report.body["feedback"]["outcomes"],
                json!({"ticket_closed": 1})
            );
            assert_eq!(report.body["versions"].as_array().map(Vec::len), Some(1));

            let later = server
                .get("/v1/workflows/triage/quality?since=2999-01-01T00:00:00Z")
                .await;
            assert_eq!(later.body["totals"]["runs"], 0, "since filters runs");
            assert_eq!(
                later.body["backlog"]["size"], 1,
                "the backlog is always current"
            );

            server
                .get("/v1/workflows/nope/quality")
                .await
                .assert_error(404, "not_found");
            for (query, field) in [
                ("since=yesterday", "since"),
                ("until=2024-01-01T00:00:00Z", "until"),
            ] {
                let answer = server
                    .get(&format!("/v1/workflows/triage/quality?{query}"))
                    .await;
                answer.assert_error(400, "invalid_input");
                assert_eq!(answer.field(), field);
            }
            server.stop().await;
        },
    );
}
