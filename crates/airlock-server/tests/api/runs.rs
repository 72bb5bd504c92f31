//! Running workflows: one run per decision, a contract violation, a failed
//! step, reading a run back.

use airlock_testkit::run_on_each_database;
use serde_json::json;

use crate::support::TestServer;

#[test]
fn each_decision_is_answered_with_the_run() {
    run_on_each_database("each_decision_is_answered_with_the_run", |db| async move {
        let server = TestServer::start(&db).await;

        let auto = server
            .run_ok("triage", &json!({"message": "where is my card?"}))
            .await;
        assert_eq!(auto["decision"], "auto");
        assert_eq!(auto["rule"], "default");
        assert_eq!(auto["status"], "completed");
        assert_eq!(auto["replayed"], false);
        assert_eq!(auto["output"]["intent"], "card_arrival");
        assert!(
            auto["output"]["reply"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Draft"),
            "the generated reply is the output: {auto:#}"
        );
        assert_eq!(auto["confidence"], 0.93);
        assert_eq!(
            auto["models"],
            json!(["classifiers/test.json@fake", "fake-generator@0"])
        );
        assert_eq!(auto["error"], serde_json::Value::Null);
        assert_eq!(auto["workflow"], "triage");
        assert!(auto["workflow_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty()));
        assert!(auto["latency_ms"].is_number() && auto["created_at"].is_string());
        let steps: Vec<&str> = auto["steps"]
            .as_array()
            .expect("steps is a list")
            .iter()
            .map(|s| s["name"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            steps,
            ["validate", "intent", "banned", "risky", "reply", "canned"]
        );
        let reply = &auto["steps"][4];
        assert_eq!(reply["kind"], "generate");
        assert_eq!(reply["skipped"], false);
        assert_eq!(reply["model"], "fake-generator@0");
        assert!(reply["latency_ms"].is_number() && reply["error"].is_null());
        assert_eq!(
            auto["steps"][5]["skipped"], true,
            "no canned reply when a draft exists"
        );

        let review = server
            .run_ok("triage", &json!({"message": "my card was stolen"}))
            .await;
        assert_eq!(
            (review["decision"].as_str(), review["rule"].as_str()),
            (Some("review"), Some("risky-intent"))
        );
        let unsure = server
            .run_ok("triage", &json!({"message": "unsure what this is"}))
            .await;
        assert_eq!(
            (unsure["decision"].as_str(), unsure["rule"].as_str()),
            (Some("review"), Some("low-confidence"))
        );

        let fallback = server
            .run_ok("triage", &json!({"message": "please FAIL"}))
            .await;
        assert_eq!(fallback["decision"], "fallback");
        assert_eq!(fallback["rule"], "generation-failed");
        assert_eq!(
            fallback["status"], "completed",
            "on_error = continue keeps the run going"
        );
        assert!(fallback["steps"][4]["error"]
            .as_str()
            .is_some_and(|e| e.contains("told to fail")));
        assert_eq!(
            fallback["output"]["reply"],
            "Thanks, we have your message about card_arrival."
        );

        let block = server
            .run_ok("triage", &json!({"message": "a forbidden request"}))
            .await;
        assert_eq!(block["decision"], "block");
        assert_eq!(block["rule"], "banned");
        assert_eq!(
            block["output"],
            serde_json::Value::Null,
            "blocked runs have no output"
        );

        server.stop().await;
    });
}

#[test]
fn an_input_breaking_the_contract_is_400_recorded_and_quarantined() {
    run_on_each_database(
        "an_input_breaking_the_contract_is_400_recorded_and_quarantined",
        |db| async move {
            let server = TestServer::start(&db).await;

            // A workflow with a validate step.
            let rejected = server.run("triage", &json!({"message": 42}), None).await;
            rejected.assert_error(400, "invalid_input");
            assert_eq!(rejected.field(), "/message");
            assert_eq!(rejected.body["error"]["decision"], "block");
            let run_id = rejected.body["error"]["run_id"]
                .as_str()
                .expect("run_id in the error")
                .to_string();

            let run = server.get(&format!("/v1/runs/{run_id}")).await;
            assert_eq!(run.status, 200, "{:#}", run.body);
            assert_eq!(run.body["rule"], "invalid-input");
            assert_eq!(run.body["input"], json!({"message": 42}));

            // A workflow without one: the engine checks the contract itself.
            let rejected = server
                .run("strict", &json!({"text": ["not", "a", "string"]}), None)
                .await;
            rejected.assert_error(400, "invalid_input");
            assert_eq!(rejected.field(), "/text");
            let strict_run = rejected.body["error"]["run_id"]
                .as_str()
                .expect("run_id")
                .to_string();
            let run = server.get(&format!("/v1/runs/{strict_run}")).await;
            assert_eq!(run.body["rule"], "input-contract");

            // Non-object bodies are inputs too; the schema rejects them.
            let rejected = server.run("triage", &json!([1, 2]), None).await;
            rejected.assert_error(400, "invalid_input");

            let quarantine = server.get("/v1/quarantine?workflow=triage").await;
            assert_eq!(quarantine.status, 200, "{:#}", quarantine.body);
            let items = quarantine.body["items"].as_array().expect("items");
            assert_eq!(items.len(), 2, "{:#}", quarantine.body);
            let first = items
                .iter()
                .find(|i| i["input"] == json!({"message": 42}))
                .expect("quarantined");
            assert_eq!(first["workflow"], "triage");
            assert_eq!(first["field"], "/message");
            assert!(first["reason"].as_str().is_some_and(|r| !r.is_empty()));
            assert!(first["id"].is_string() && first["received_at"].is_string());
            let all = server.get("/v1/quarantine").await;
            assert_eq!(all.body["items"].as_array().map(Vec::len), Some(3));

            server.stop().await;
        },
    );
}

#[test]
fn a_failed_step_is_200_with_status_failed_and_decision_block() {
    run_on_each_database(
        "a_failed_step_is_200_with_status_failed_and_decision_block",
        |db| async move {
            let server = TestServer::start(&db).await;
            let failed = server
                .run_ok("strict", &json!({"text": "please FAIL"}))
                .await;
            assert_eq!(failed["status"], "failed");
            assert_eq!(failed["decision"], "block");
            assert_eq!(failed["rule"], "run-failed");
            assert!(
                failed["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("draft")),
                "{failed:#}"
            );
            assert_eq!(failed["output"], serde_json::Value::Null);

            let stored = server
                .get(&format!(
                    "/v1/runs/{}",
                    failed["run_id"].as_str().unwrap_or_default()
                ))
                .await;
            assert_eq!(stored.body["status"], "failed");

            let ok = server.run_ok("strict", &json!({"text": "hello"})).await;
            assert_eq!(ok["status"], "completed");
            assert_eq!(
                ok["output"]["draft"],
                "Draft (256 tokens max) for: Draft: hello"
            );
            server.stop().await;
        },
    );
}

#[test]
fn a_run_reads_back_with_its_input_and_unknown_or_bad_ids_are_named() {
    run_on_each_database(
        "a_run_reads_back_with_its_input_and_unknown_or_bad_ids_are_named",
        |db| async move {
            let server = TestServer::start(&db).await;
            let input = json!({"message": "where is my card?", "channel": "chat"});
            let created = server.run("triage", &input, Some("read-back-1")).await;
            assert_eq!(created.status, 200);
            let id = created.body["run_id"].as_str().expect("run_id").to_string();
            assert_eq!(
                created
                    .headers
                    .get("location")
                    .and_then(|v| v.to_str().ok()),
                Some(format!("/v1/runs/{id}").as_str())
            );

            let read = server.get(&format!("/v1/runs/{id}")).await;
            assert_eq!(read.status, 200);
            assert_eq!(read.body["input"], input);
            assert_eq!(read.body["idempotency_key"], "read-back-1");
            for key in [
                "run_id",
                "decision",
                "rule",
                "output",
                "steps",
                "models",
                "confidence",
                "created_at",
            ] {
                assert_eq!(
                    read.body[key], created.body[key],
                    "`{key}` reads back as answered"
                );
            }

            let unknown = server.get("/v1/runs/01J9ZQ3V6T8K2M4N5P7R9S1T3V").await;
            unknown.assert_error(404, "not_found");
            let bad = server.get("/v1/runs/not-an-id").await;
            bad.assert_error(400, "invalid_input");
            assert_eq!(bad.field(), "id");
            server.stop().await;
        },
    );
}

#[test]
fn workflows_list_and_definitions() {
    run_on_each_database("workflows_list_and_definitions", |db| async move {
        let server = TestServer::start(&db).await;
        let list = server.get("/v1/workflows").await;
        assert_eq!(list.status, 200);
        let names: Vec<&str> = list.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|w| w["name"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(names, ["panel", "strict", "triage"]);
        let triage = &list.body["items"][2];
        assert_eq!(triage["step_count"], 6);
        assert_eq!(triage["risk"], "medium");
        assert_eq!(triage["data_class"], "internal");
        assert_eq!(triage["owner"], "tests@example.com");
        assert_eq!(triage["runbook"], "https://example.com/runbooks/triage");
        assert!(triage["version"].as_str().is_some_and(|v| !v.is_empty()));

        let detail = server.get("/v1/workflows/triage").await;
        assert_eq!(detail.status, 200);
        let d = &detail.body;
        assert_eq!(d["name"], "triage");
        assert_eq!(d["description"], "Test triage");
        assert_eq!(
            d["steps"][0]["checks"][0]["message"],
            "message must not start with a space"
        );
        assert_eq!(d["steps"][1]["kind"], "classify");
        assert_eq!(d["steps"][1]["model"], "classifiers/test.json");
        assert_eq!(d["steps"][1]["text"], "input.message");
        assert_eq!(d["steps"][2]["expr"], "input.message.contains('forbidden')");
        assert_eq!(d["steps"][4]["prompt"], "reply.prompt.j2");
        assert_eq!(d["steps"][4]["max_tokens"], 64);
        assert_eq!(d["steps"][4]["on_error"], "continue");
        assert!(d["steps"][4]["when"]
            .as_str()
            .is_some_and(|w| w.contains("steps.banned.value")));
        assert_eq!(d["steps"][5]["template"], "canned.txt.j2");
        assert_eq!(d["steps"][1]["on_error"], "fail");
        assert_eq!(d["decisions"][0]["name"], "invalid-input");
        assert_eq!(d["decisions"][0]["when"], "!steps.validate.valid");
        assert_eq!(d["decisions"][0]["decision"], "block");
        assert_eq!(d["decisions"][0]["reason"], "the input failed the contract");
        assert_eq!(d["decisions"][5]["when"], serde_json::Value::Null);
        assert_eq!(
            d["decisions"][2]["priority"], 10,
            "a review rule's own priority"
        );
        assert_eq!(d["decisions"][3]["priority"], serde_json::Value::Null);
        assert_eq!(
            d["review"],
            json!({"priority": 1, "sla": "4h", "lease": "15m", "consensus": 1,
                   "label_step": "intent", "label_field": "intent"})
        );
        assert_eq!(d["input_schema"]["required"], json!(["message"]));
        assert_eq!(d["output_schema"]["required"], json!(["intent", "reply"]));
        assert!(d["output_value"]
            .as_str()
            .is_some_and(|v| v.contains("steps.intent.label")));

        server
            .get("/v1/workflows/nope")
            .await
            .assert_error(404, "not_found");
        server.stop().await;
    });
}
