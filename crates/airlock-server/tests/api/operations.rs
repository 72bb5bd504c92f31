//! Health, readiness, metrics and the OpenAPI document.

use std::collections::BTreeSet;

use airlock_server::served_routes;
use airlock_testkit::run_on_each_database;
use serde_json::json;

use crate::support::TestServer;

#[test]
fn health_and_readiness() {
    run_on_each_database("health_and_readiness", |db| async move {
        let server = TestServer::start(&db).await;
        let health = server.get("/healthz").await;
        assert_eq!(
            (health.status.as_u16(), health.body.clone()),
            (200, json!({"status": "ok"}))
        );
        let ready = server.get("/readyz").await;
        assert_eq!(ready.status, 200, "{:#}", ready.body);
        assert_eq!(
            ready.body,
            json!({"status": "ready", "database": "ok", "models": ["fake-classifier", "fake-generator"]})
        );

        server.store.close().await;
        let not_ready = server.get("/readyz").await;
        not_ready.assert_error(503, "unavailable");
        assert_eq!(not_ready.field(), "database");
        let health = server.get("/healthz").await;
        assert_eq!(
            health.status, 200,
            "liveness does not depend on the database"
        );
        server.stop().await;
    });
}

#[test]
fn metrics_count_runs_and_requests_by_route_template() {
    run_on_each_database(
        "metrics_count_runs_and_requests_by_route_template",
        |db| async move {
            let server = TestServer::start(&db).await;
            server
                .run_ok("triage", &json!({"message": "where is my card?"}))
                .await;
            server.run("triage", &json!({"message": 1}), None).await;
            let run = server.run_ok("strict", &json!({"text": "hi"})).await;
            server
                .get(&format!(
                    "/v1/runs/{}",
                    run["run_id"].as_str().unwrap_or_default()
                ))
                .await;

            let response = server
                .client
                .get(server.url("/metrics"))
                .send()
                .await
                .expect("the metrics endpoint answers");
            assert_eq!(response.status(), 200);
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            assert!(content_type.starts_with("text/plain"), "{content_type}");
            let text = response.text().await.expect("metrics text");
            let has = |needle: &str| {
                text.lines()
                    .any(|l| !l.starts_with('#') && l.contains(needle))
            };
            for needle in [
            "airlock_runs_total{workflow=\"triage\",decision=\"auto\",status=\"completed\"}",
            "airlock_runs_total{workflow=\"strict\",decision=\"auto\",status=\"completed\"}",
            "airlock_quarantined_total{workflow=\"triage\"}",
            "airlock_run_duration_seconds_bucket{workflow=\"triage\",le=\"0.0001\"}",
            "airlock_step_duration_seconds_bucket{",
            "airlock_http_requests_total{method=\"POST\",route=\"/v1/workflows/{name}/runs\",status=\"200\"}",
            "airlock_http_requests_total{method=\"POST\",route=\"/v1/workflows/{name}/runs\",status=\"400\"}",
            "airlock_http_requests_total{method=\"GET\",route=\"/v1/runs/{id}\",status=\"200\"}",
            "airlock_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/runs/{id}\",le=\"60\"}",
            "airlock_store_commits_total",
            "airlock_store_committed_records_total",
            "airlock_store_commit_batch_size_bucket{le=\"1\"}",
            "airlock_store_commit_duration_seconds_bucket{le=\"5\"}",
            "airlock_store_commit_wait_seconds_bucket{le=\"5\"}",
        ] {
            assert!(has(needle), "missing `{needle}` in:\n{text}");
        }
            assert!(
                !text.contains(run["run_id"].as_str().unwrap_or("no id")),
                "raw paths never become labels"
            );
            server.stop().await;
        },
    );
}

#[test]
fn the_openapi_document_parses_and_covers_every_route() {
    run_on_each_database(
        "the_openapi_document_parses_and_covers_every_route",
        |db| async move {
            let server = TestServer::start(&db).await;
            let response = server
                .client
                .get(server.url("/openapi.json"))
                .send()
                .await
                .expect("the document is served");
            assert_eq!(response.status(), 200);
            let text = response.text().await.expect("the document reads");
            // Parsed with an independent OpenAPI 3.1 reader, not utoipa's own types.
            let doc = oas3::from_json(&text).expect("the document parses as OpenAPI 3.1");
            let raw: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert!(raw["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));

            let documented: BTreeSet<(String, String)> = raw["paths"]
                .as_object()
                .expect("paths")
                .iter()
                .flat_map(|(path, item)| {
                    item.as_object()
                        .into_iter()
                        .flat_map(|ops| ops.keys())
                        .filter(|m| ["get", "post", "put", "delete", "patch"].contains(&m.as_str()))
                        .map(move |m| (m.to_uppercase(), path.clone()))
                })
                .collect();
            let served: BTreeSet<(String, String)> = served_routes()
                .iter()
                .map(|r| (r.method.to_string(), r.path.to_string()))
                .collect();
            assert_eq!(
                served, documented,
                "every served route is documented, and nothing else"
            );
            let parsed_paths = doc.paths.as_ref().map_or(0, |p| p.len());
            let served_paths: BTreeSet<&str> = served_routes().iter().map(|r| r.path).collect();
            assert_eq!(parsed_paths, served_paths.len());

            // Every served route answers something other than the 404 fallback.
            for route in served_routes() {
                let path = route
                    .path
                    .replace("{name}", "triage")
                    .replace("{id}", "01J9ZQ3V6T8K2M4N5P7R9S1T3V");
                let request = match route.method {
                    "POST" => server
                        .client
                        .post(server.url(&path))
                        .json(&json!({"message": "hi"})),
                    _ => server.client.get(server.url(&path)),
                };
                let answer = crate::support::server::read(request).await;
                assert!(
                    !(answer.status == 404 && answer.message().starts_with("no route")),
                    "{} {path} is not routed",
                    route.method
                );
            }

            let schemas = &raw["components"]["schemas"];
            for name in [
                "ErrorResponse",
                "RunView",
                "RunDetailView",
                "RunPage",
                "QuarantinePage",
                "WorkflowDetailView",
            ] {
                assert!(
                    schemas[name].is_object(),
                    "schema {name} is in the document"
                );
            }
            let post = &raw["paths"]["/v1/workflows/{name}/runs"]["post"];
            assert!(post["requestBody"]["content"]["application/json"].is_object());
            for status in ["200", "400", "404", "409", "413", "415"] {
                assert!(
                    post["responses"][status].is_object(),
                    "POST runs documents {status}"
                );
            }
            server.stop().await;
        },
    );
}
