//! The one error shape for axum's own rejections and fallbacks: malformed
//! JSON, wrong content type, oversized body, unknown workflow and route,
//! wrong method, timeout.

use std::time::Duration;

use airlock_server::ServerOptions;
use airlock_testkit::run_on_each_database;
use serde_json::json;

use crate::support::server::read;
use crate::support::TestServer;

#[test]
fn malformed_requests_answer_the_error_shape() {
    run_on_each_database(
        "malformed_requests_answer_the_error_shape",
        |db| async move {
            let options = ServerOptions {
                max_body_bytes: 1024,
                ..ServerOptions::default()
            };
            let server = TestServer::start_with(&db, options).await;
            let runs = server.url("/v1/workflows/triage/runs");
            let json_post = |body: &'static str| {
                server
                    .client
                    .post(&runs)
                    .header("content-type", "application/json")
                    .body(body)
            };

            let malformed = read(json_post("{\"message\": ")).await;
            malformed.assert_error(400, "invalid_input");
            assert!(
                malformed.message().contains("line 1 column"),
                "says where: {:#}",
                malformed.body
            );
            let empty = read(json_post("")).await;
            empty.assert_error(400, "invalid_input");

            let no_type = read(server.client.post(&runs).body("{\"message\": \"hi\"}")).await;
            no_type.assert_error(415, "unsupported_media_type");
            let text = read(
                server
                    .client
                    .post(&runs)
                    .header("content-type", "text/plain")
                    .body("{\"message\": \"hi\"}"),
            )
            .await;
            text.assert_error(415, "unsupported_media_type");
            let charset = read(
                server
                    .client
                    .post(&runs)
                    .header("content-type", "application/json; charset=utf-8")
                    .body("{\"message\": \"hi\"}"),
            )
            .await;
            assert_eq!(
                charset.status, 200,
                "a charset parameter is fine: {:#}",
                charset.body
            );

            let big = json!({"message": "x".repeat(2000)});
            let oversized = server.run("triage", &big, None).await;
            oversized.assert_error(413, "payload_too_large");
            assert!(
                oversized.message().contains("1024"),
                "names the limit: {:#}",
                oversized.body
            );

            let unknown_workflow = server.run("nope", &json!({"message": "hi"}), None).await;
            unknown_workflow.assert_error(404, "not_found");
            assert_eq!(unknown_workflow.field(), "workflow");

            server
                .get("/v2/nothing")
                .await
                .assert_error(404, "not_found");
            server.get("/").await.assert_error(404, "not_found");

            let wrong_method = read(server.client.delete(server.url("/v1/runs"))).await;
            wrong_method.assert_error(405, "method_not_allowed");
            assert_eq!(
                wrong_method
                    .headers
                    .get("allow")
                    .and_then(|v| v.to_str().ok()),
                Some("GET,HEAD")
            );
            let get_runs_of_workflow = server.get("/v1/workflows/triage/runs").await;
            get_runs_of_workflow.assert_error(405, "method_not_allowed");

            server.stop().await;
        },
    );
}

#[test]
fn a_request_over_the_timeout_is_504_and_its_run_is_still_recorded() {
    run_on_each_database(
        "a_request_over_the_timeout_is_504_and_its_run_is_still_recorded",
        |db| async move {
            let options = ServerOptions {
                request_timeout: Duration::from_millis(300),
                ..ServerOptions::default()
            };
            let server = TestServer::start_with(&db, options).await;
            // The generation waits for the gate, which opens only after the answer.
            let slow = server
                .run("strict", &json!({"text": "SLOW"}), Some("slow-1"))
                .await;
            slow.assert_error(504, "timeout");

            server.gate.add_permits(1);
            let mut recorded = None;
            for _ in 0..400 {
                let runs = server.get("/v1/runs?workflow=strict").await;
                if let Some(run) = runs.body["items"]
                    .as_array()
                    .and_then(|items| items.first())
                {
                    recorded = Some(run.clone());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            let run = recorded.expect("the timed-out run completes and is recorded");
            assert_eq!(run["idempotency_key"], "slow-1");
            assert_eq!(run["status"], "completed");
            server.stop().await;
        },
    );
}
