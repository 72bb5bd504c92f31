//! The review queue over HTTP: a review run creates a task that the queue
//! lists and filters; claim, release and resolve with approve, override
//! and reject; the run then shows the final output and who decided;
//! consensus escalates to the adjudicator; racing resolves get one 200;
//! every mistake answers the one error shape naming what is wrong.

use std::collections::BTreeMap;

use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};

use crate::support::server::{read, ADJUDICATOR};
use crate::support::TestServer;

/// Runs `message` through `triage` and returns `(run_id, review_id)`.
async fn review_run(server: &TestServer, message: &str) -> (String, String) {
    let run = server
        .run_ok("triage", &json!({ "message": message }))
        .await;
    assert_eq!(run["decision"], "review", "{run:#}");
    let review_id = run["review_id"]
        .as_str()
        .unwrap_or_else(|| panic!("a review run carries review_id: {run:#}"));
    (
        run["run_id"].as_str().expect("run_id").to_string(),
        review_id.to_string(),
    )
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["review_id"].as_str().expect("review_id").to_string())
        .collect()
}

#[test]
fn a_review_run_is_queued_with_its_context_and_filtered() {
    run_on_each_database(
        "a_review_run_is_queued_with_its_context_and_filtered",
        |db| async move {
            let server = TestServer::start(&db).await;
            let (stolen_run, stolen) = review_run(&server, "my card was stolen").await;
            let (_, unsure) = review_run(&server, "unsure what this is").await;
            let auto = server
                .run_ok("triage", &json!({"message": "where is my card?"}))
                .await;
            assert_eq!(auto["review_id"], Value::Null, "no task for an auto run");

            let queue = server.get("/v1/reviews").await;
            assert_eq!(queue.status, 200, "{:#}", queue.body);
            assert_eq!(
                ids(&queue.body),
                [stolen.clone(), unsure.clone()],
                "oldest due first"
            );
            assert_eq!(queue.body["next_cursor"], Value::Null);
            let task = &queue.body["items"][0];
            assert_eq!(task["run_id"], stolen_run.as_str());
            assert_eq!(task["workflow"], "triage");
            assert_eq!(task["status"], "open");
            assert_eq!(task["overdue"], false);
            assert_eq!(task["priority"], 10, "the rule's priority");
            assert_eq!(queue.body["items"][1]["priority"], 1, "the workflow's");
            assert_eq!(task["rule"], "risky-intent");
            assert_eq!(task["reason"], "card loss is handled by a person");
            assert_eq!(task["suggestion"]["step"], "intent");
            assert_eq!(task["suggestion"]["label"], "lost_or_stolen_card");
            assert_eq!(task["suggestion"]["confidence"], 0.97);
            assert_eq!(task["required_reviews"], 1);
            assert_eq!(
                (task["claims"].clone(), task["votes"].clone()),
                (json!([]), json!([]))
            );
            assert_eq!(task["resolution"], Value::Null);
            assert!(task["workflow_version"]
                .as_str()
                .is_some_and(|v| !v.is_empty()));

            for (query, expected) in [
                ("workflow=triage", vec![stolen.clone(), unsure.clone()]),
                ("workflow=strict", vec![]),
                ("label=card_arrival", vec![unsure.clone()]),
                ("status=open", vec![stolen.clone(), unsure.clone()]),
                ("status=claimed", vec![]),
                ("overdue=true", vec![]),
                ("overdue=false", vec![stolen.clone(), unsure.clone()]),
                ("older_than=1h", vec![]),
                ("older_than=0s", vec![stolen.clone(), unsure.clone()]),
            ] {
                let page = server.get(&format!("/v1/reviews?{query}")).await;
                assert_eq!(page.status, 200, "{query}: {:#}", page.body);
                assert_eq!(ids(&page.body), expected, "{query}");
            }
            let first = server.get("/v1/reviews?limit=1").await;
            assert_eq!(ids(&first.body), [stolen.as_str()]);
            let cursor = first.body["next_cursor"].as_str().expect("a next page");
            let second = server
                .get(&format!("/v1/reviews?limit=1&cursor={cursor}"))
                .await;
            assert_eq!(ids(&second.body), [unsure.as_str()]);

            let detail = server.get(&format!("/v1/reviews/{stolen}")).await;
            assert_eq!(detail.status, 200, "{:#}", detail.body);
            assert_eq!(
                detail.body["input"],
                json!({"message": "my card was stolen"})
            );
            let steps: Vec<&str> = detail.body["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .map(|s| s["name"].as_str().unwrap_or_default())
                .collect();
            assert_eq!(
                steps,
                ["validate", "intent", "banned", "risky", "reply", "canned"]
            );
            assert_eq!(
                detail.body["steps"][1]["output"]["label"],
                "lost_or_stolen_card"
            );
            assert_eq!(
                detail.body["suggestion"]["output"]["intent"],
                "lost_or_stolen_card"
            );

            let run = server.get(&format!("/v1/runs/{stolen_run}")).await;
            assert_eq!(run.body["review_id"], stolen.as_str());
            assert_eq!(run.body["review"]["status"], "open");
            assert_eq!(run.body["decided_by"], json!([]), "pending: nobody decided");
            assert_eq!(run.body["final_output"], Value::Null);
            let auto_run = server
                .get(&format!(
                    "/v1/runs/{}",
                    auto["run_id"].as_str().expect("id")
                ))
                .await;
            assert_eq!(auto_run.body["review"], Value::Null);
            assert_eq!(
                auto_run.body["decided_by"],
                json!(["workflow rule default"])
            );
            assert_eq!(auto_run.body["final_output"], auto["output"]);
            server.stop().await;
        },
    );
}

#[test]
fn claims_lease_the_task_and_resolutions_decide_the_run() {
    run_on_each_database(
        "claims_lease_the_task_and_resolutions_decide_the_run",
        |db| async move {
            let server = TestServer::start(&db).await;
            let (run_id, id) = review_run(&server, "my card was stolen").await;
            let path = |action: &str| format!("/v1/reviews/{id}/{action}");

            let claimed = server
                .post(&path("claim"), &json!({"reviewer": "alice"}))
                .await;
            assert_eq!(claimed.status, 200, "{:#}", claimed.body);
            assert_eq!(claimed.body["status"], "claimed");
            assert_eq!(claimed.body["claims"][0]["reviewer"], "alice");
            assert_eq!(claimed.body["claims"][0]["live"], true);
            let queue = server.get("/v1/reviews?status=claimed").await;
            assert_eq!(ids(&queue.body), [id.as_str()]);

            let taken = server
                .post(&path("claim"), &json!({"reviewer": "bob"}))
                .await;
            taken.assert_error(409, "conflict");
            assert!(
                taken.message().contains("claimed by alice until"),
                "{:#}",
                taken.body
            );
            let blocked = server
                .post(
                    &path("resolve"),
                    &json!({"reviewer": "bob", "action": "approve"}),
                )
                .await;
            blocked.assert_error(409, "conflict");
            let not_held = server
                .post(&path("release"), &json!({"reviewer": "bob"}))
                .await;
            not_held.assert_error(409, "conflict");
            assert_eq!(not_held.field(), "reviewer");
            let released = server
                .post(&path("release"), &json!({"reviewer": "alice"}))
                .await;
            assert_eq!(released.status, 200, "{:#}", released.body);
            assert_eq!(released.body["status"], "open");

            let approved = server
                .post(
                    &path("resolve"),
                    &json!({"reviewer": "bob", "action": "approve"}),
                )
                .await;
            assert_eq!(approved.status, 200, "{:#}", approved.body);
            let resolution = &approved.body["resolution"];
            assert_eq!(approved.body["status"], "resolved");
            assert_eq!(resolution["action"], "approve");
            assert_eq!(resolution["decided_by"], json!(["bob"]));
            assert_eq!(resolution["label"], "lost_or_stolen_card");
            assert_eq!(resolution["output"]["intent"], "lost_or_stolen_card");

            let again = server
                .post(
                    &path("resolve"),
                    &json!({"reviewer": "alice", "action": "reject", "reason": "spam"}),
                )
                .await;
            again.assert_error(409, "conflict");
            assert!(
                again
                    .message()
                    .contains(&format!("review {id} was already resolved by bob at")),
                "{:#}",
                again.body
            );
            let late_claim = server
                .post(&path("claim"), &json!({"reviewer": "alice"}))
                .await;
            late_claim.assert_error(409, "conflict");

            let run = server.get(&format!("/v1/runs/{run_id}")).await;
            assert_eq!(run.body["review"]["status"], "resolved");
            assert_eq!(run.body["review"]["action"], "approve");
            assert_eq!(run.body["review"]["decided_by"], json!(["bob"]));
            assert_eq!(run.body["decided_by"], json!(["bob"]));
            assert_eq!(run.body["final_output"], run.body["output"]);
            assert!(run.body["review"]["resolved_at"].is_string());
            server.stop().await;
        },
    );
}

#[test]
fn override_and_reject_need_a_reason_and_a_valid_output() {
    run_on_each_database(
        "override_and_reject_need_a_reason_and_a_valid_output",
        |db| async move {
            let server = TestServer::start(&db).await;
            let (run_id, id) = review_run(&server, "unsure what this is").await;
            let resolve = format!("/v1/reviews/{id}/resolve");
            let corrected = json!({"intent": "lost_or_stolen_card", "reply": "We blocked it."});

            for (body, field) in [
                (
                    json!({"reviewer": "ann", "action": "override", "output": corrected}),
                    "reason",
                ),
                (
                    json!({"reviewer": "ann", "action": "override", "reason": "wrong"}),
                    "output",
                ),
                (
                    json!({"reviewer": "ann", "action": "override", "reason": "wrong",
                           "output": {"intent": 5, "reply": "x"}}),
                    "output.intent",
                ),
                (json!({"reviewer": "ann", "action": "reject"}), "reason"),
                (
                    json!({"reviewer": "ann", "action": "approve", "output": corrected}),
                    "output",
                ),
                (json!({"reviewer": "ann", "action": "maybe"}), "action"),
                (
                    json!({"reviewer": "ann", "action": "approve", "note": "x"}),
                    "note",
                ),
                (
                    json!({"reviewer": "ann", "action": "approve", "reason": 3}),
                    "reason",
                ),
            ] {
                let answer = server.post(&resolve, &body).await;
                answer.assert_error(400, "invalid_input");
                assert_eq!(answer.field(), field, "{body}: {:#}", answer.body);
            }
            let violation = server
                .post(
                    &resolve,
                    &json!({"reviewer": "ann", "action": "override", "reason": "wrong",
                            "output": {"intent": 5, "reply": "x"}}),
                )
                .await;
            assert!(
                violation.message().contains("output contract"),
                "{:#}",
                violation.body
            );
            let still_open = server.get(&format!("/v1/reviews/{id}")).await;
            assert_eq!(still_open.body["status"], "open", "nothing was recorded");
            assert_eq!(still_open.body["votes"], json!([]));

            let overridden = server
                .post(
                    &resolve,
                    &json!({"reviewer": "ann", "action": "override", "output": corrected,
                            "reason": "the customer lost the card"}),
                )
                .await;
            assert_eq!(overridden.status, 200, "{:#}", overridden.body);
            assert_eq!(
                overridden.body["resolution"]["label"],
                "lost_or_stolen_card"
            );
            assert_eq!(
                overridden.body["votes"][0]["reason"],
                "the customer lost the card"
            );
            let run = server.get(&format!("/v1/runs/{run_id}")).await;
            assert_eq!(run.body["final_output"], corrected);
            assert_eq!(run.body["review"]["action"], "override");

            let (reject_run, rejected) = review_run(&server, "my card was stolen, unsure").await;
            let answer = server
                .post(
                    &format!("/v1/reviews/{rejected}/resolve"),
                    &json!({"reviewer": "ann", "action": "reject", "reason": "test message"}),
                )
                .await;
            assert_eq!(answer.status, 200, "{:#}", answer.body);
            let run = server.get(&format!("/v1/runs/{reject_run}")).await;
            assert_eq!(run.body["final_output"], Value::Null, "nothing goes out");
            assert_eq!(run.body["decided_by"], json!(["ann"]));
            server.stop().await;
        },
    );
}

#[test]
fn disagreeing_reviewers_escalate_to_the_adjudicator() {
    run_on_each_database(
        "disagreeing_reviewers_escalate_to_the_adjudicator",
        |db| async move {
            let server = TestServer::start(&db).await;
            let run = server
                .run_ok("panel", &json!({"message": "where is my card?"}))
                .await;
            let id = run["review_id"].as_str().expect("a task").to_string();
            let resolve = format!("/v1/reviews/{id}/resolve");

            let first = server
                .post(&resolve, &json!({"reviewer": "alice", "action": "approve"}))
                .await;
            assert_eq!(first.status, 200, "{:#}", first.body);
            assert_eq!(first.body["status"], "open", "one of two votes");
            assert_eq!(first.body["required_reviews"], 2);
            let twice = server
                .post(&resolve, &json!({"reviewer": "alice", "action": "approve"}))
                .await;
            twice.assert_error(409, "conflict");
            assert!(
                twice.message().contains("already voted"),
                "{:#}",
                twice.body
            );

            let second = server
                .post(
                    &resolve,
                    &json!({"reviewer": "bob", "action": "override", "reason": "wrong intent",
                            "output": {"intent": "lost_or_stolen_card"}}),
                )
                .await;
            assert_eq!(second.status, 200, "{:#}", second.body);
            assert_eq!(second.body["status"], "escalated");
            let escalated = server.get("/v1/reviews?status=escalated").await;
            assert_eq!(ids(&escalated.body), [id.as_str()]);

            let outsider = server
                .post(&resolve, &json!({"reviewer": "dave", "action": "approve"}))
                .await;
            outsider.assert_error(403, "forbidden");
            assert!(
                outsider.message().contains("adjudicator"),
                "{:#}",
                outsider.body
            );
            let claim = server
                .post(
                    &format!("/v1/reviews/{id}/claim"),
                    &json!({"reviewer": "dave"}),
                )
                .await;
            claim.assert_error(403, "forbidden");
            // Both refusals are audited, with the reason.
            let denials = server.get("/v1/audit?event=access.denied").await;
            let refused: Vec<&Value> = denials.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter(|r| {
                    r["details"]["reason"]
                        .as_str()
                        .is_some_and(|reason| reason.contains("only an adjudicator"))
                })
                .collect();
            assert_eq!(refused.len(), 2, "{:#}", denials.body);
            assert!(
                refused
                    .iter()
                    .all(|r| r["subject"].as_str().is_some_and(|s| s.contains(&id))),
                "{refused:#?}"
            );

            let final_vote = server
                .post(
                    &resolve,
                    &json!({"reviewer": ADJUDICATOR, "action": "approve"}),
                )
                .await;
            assert_eq!(final_vote.status, 200, "{:#}", final_vote.body);
            assert_eq!(final_vote.body["status"], "resolved");
            assert_eq!(
                final_vote.body["resolution"]["decided_by"],
                json!([ADJUDICATOR])
            );
            assert_eq!(final_vote.body["votes"][2]["adjudication"], true);
            server.stop().await;
        },
    );
}

#[test]
fn sixteen_racing_resolves_get_one_success() {
    run_on_each_database("sixteen_racing_resolves_get_one_success", |db| async move {
        let server = TestServer::start(&db).await;
        let (_, id) = review_run(&server, "my card was stolen").await;
        let url = server.url(&format!("/v1/reviews/{id}/resolve"));
        let mut racers = Vec::new();
        for i in 0..16 {
            let request = server
                .client_for(&format!("reviewer-{i}"))
                .await
                .post(&url)
                .json(&json!({"reviewer": format!("reviewer-{i}"), "action": "approve"}));
            racers.push(tokio::spawn(read(request)));
        }
        let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
        for racer in racers {
            let answer = racer.await.expect("the request task does not panic");
            if answer.status == 409 {
                answer.assert_error(409, "conflict");
                assert!(
                    answer
                        .message()
                        .contains("was already resolved by reviewer-"),
                    "{:#}",
                    answer.body
                );
            }
            *by_status.entry(answer.status.as_u16()).or_default() += 1;
        }
        assert_eq!(by_status, BTreeMap::from([(200, 1), (409, 15)]));
        let task = server.get(&format!("/v1/reviews/{id}")).await;
        assert_eq!(task.body["votes"].as_array().map(Vec::len), Some(1));
        server.stop().await;
    });
}

#[test]
fn review_mistakes_answer_the_error_shape() {
    run_on_each_database("review_mistakes_answer_the_error_shape", |db| async move {
        let server = TestServer::start(&db).await;
        let (_, id) = review_run(&server, "my card was stolen").await;
        for (query, field) in [
            ("status=pending", "status"),
            ("older_than=soon", "older_than"),
            ("older_than=30", "older_than"),
            ("overdue=yes", "overdue"),
            ("limit=0", "limit"),
            ("cursor=nonsense", "cursor"),
            ("sort=due", "sort"),
            ("label=a&label=b", "label"),
        ] {
            let answer = server.get(&format!("/v1/reviews?{query}")).await;
            answer.assert_error(400, "invalid_input");
            assert_eq!(answer.field(), field, "{query}: {:#}", answer.body);
        }
        let bad_status = server.get("/v1/reviews?status=pending").await;
        assert!(
            bad_status.body["error"]["hint"]
                .as_str()
                .is_some_and(|h| h.contains("open, claimed, escalated, resolved")),
            "{:#}",
            bad_status.body
        );

        let unknown = "01J9ZQ3V6T8K2M4N5P7R9S1T3V";
        let missing = server.get(&format!("/v1/reviews/{unknown}")).await;
        missing.assert_error(404, "not_found");
        assert!(missing.message().contains(unknown), "{:#}", missing.body);
        for action in ["claim", "release", "resolve"] {
            let answer = server
                .post(
                    &format!("/v1/reviews/{unknown}/{action}"),
                    &json!({"reviewer": "ann", "action": "approve"}),
                )
                .await;
            // `release` and `claim` refuse the unknown `action` member first.
            if action == "resolve" {
                answer.assert_error(404, "not_found");
            } else {
                answer.assert_error(400, "invalid_input");
                assert_eq!(answer.field(), "action");
            }
            let answer = server
                .post(
                    &format!("/v1/reviews/{unknown}/{action}"),
                    &json!({"reviewer": "ann"}),
                )
                .await;
            if action == "resolve" {
                assert_eq!(answer.field(), "action", "{:#}", answer.body);
            } else {
                answer.assert_error(404, "not_found");
            }
        }
        let bad_id = server.get("/v1/reviews/not-an-id").await;
        bad_id.assert_error(400, "invalid_input");
        assert_eq!(bad_id.field(), "id");

        let claim = server.url(&format!("/v1/reviews/{id}/claim"));
        for (body, field) in [
            (json!({"reviewer": ""}), "reviewer"),
            (json!({"reviewer": "   "}), "reviewer"),
            (json!({"reviewer": ["ann"]}), "reviewer"),
            (json!(["ann"]), "body"),
        ] {
            let answer = read(server.client.post(&claim).json(&body)).await;
            answer.assert_error(400, "invalid_input");
            assert_eq!(answer.field(), field, "{body}: {:#}", answer.body);
        }
        let no_type = read(server.client.post(&claim).body(r#"{"reviewer": "ann"}"#)).await;
        no_type.assert_error(415, "unsupported_media_type");
        let malformed = read(
            server
                .client
                .post(&claim)
                .header("content-type", "application/json")
                .body("{\"reviewer\": "),
        )
        .await;
        malformed.assert_error(400, "invalid_input");
        let wrong_method = read(server.client.get(&claim)).await;
        wrong_method.assert_error(405, "method_not_allowed");
        server.stop().await;
    });
}
