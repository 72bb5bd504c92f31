//! Webhook deliveries over HTTP: review events land in the outbox as
//! deliveries the API lists and filters; an attempt (made here by a
//! dispatcher against a receiver that answers 500) shows in the detail.

use std::sync::Arc;

use airlock_config::{WebhookDeliverySettings, WebhookSettings};
use airlock_testkit::run_on_each_database;
use airlock_webhooks::Dispatcher;
use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::TestServer;

/// A receiver on 127.0.0.1 that answers every POST with 500.
async fn failing_receiver() -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("an ephemeral port on loopback");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/hook")
}

fn events(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["event"].as_str().unwrap_or_default())
        .collect()
}

#[test]
fn deliveries_and_their_attempts_are_listed() {
    run_on_each_database(
        "deliveries_and_their_attempts_are_listed",
        |db| async move {
            let endpoint = WebhookSettings {
                name: "crm".into(),
                url: failing_receiver().await,
                secret: "a-secret-of-at-least-16-bytes".into(),
                events: Vec::new(),
                workflows: Vec::new(),
            };
            let server = TestServer::start_with_webhooks(&db, vec![endpoint.clone()]).await;
            let run = server
                .run_ok("triage", &json!({"message": "my card was stolen"}))
                .await;
            let review = run["review_id"].as_str().expect("a task");
            let created = server.get("/v1/webhooks/deliveries").await;
            assert_eq!(created.status, 200, "{:#}", created.body);
            assert_eq!(events(&created.body), ["review.created"]);
            let delivery = &created.body["items"][0];
            assert_eq!(delivery["endpoint"], "crm");
            assert_eq!(delivery["url"], endpoint.url.as_str());
            assert_eq!(delivery["status"], "pending");
            assert_eq!(delivery["attempt_count"], 0);
            assert_eq!(delivery["payload"]["type"], "review.created");
            assert_eq!(delivery["payload"]["data"]["review_id"], review);

            let resolved = server
                .post(
                    &format!("/v1/reviews/{review}/resolve"),
                    &json!({"reviewer": "ann", "action": "approve"}),
                )
                .await;
            assert_eq!(resolved.status, 200, "{:#}", resolved.body);
            for (query, expected) in [
                ("", vec!["review.resolved", "review.created"]),
                ("?event=review.resolved", vec!["review.resolved"]),
                ("?status=pending", vec!["review.resolved", "review.created"]),
                ("?status=delivered", vec![]),
                ("?endpoint=other", vec![]),
                ("?endpoint=crm&limit=1", vec!["review.resolved"]),
            ] {
                let page = server.get(&format!("/v1/webhooks/deliveries{query}")).await;
                assert_eq!(page.status, 200, "{query}: {:#}", page.body);
                assert_eq!(events(&page.body), expected, "{query}");
            }

            let settings = WebhookDeliverySettings::default();
            let dispatcher = Dispatcher::new(Arc::new(server.store.clone()), &[endpoint], settings)
                .expect("a dispatcher");
            assert_eq!(dispatcher.deliver_due().await.expect("attempts made"), 2);
            let id = delivery["delivery_id"].as_str().expect("id");
            let detail = server.get(&format!("/v1/webhooks/deliveries/{id}")).await;
            assert_eq!(detail.status, 200, "{:#}", detail.body);
            assert_eq!(detail.body["status"], "pending", "retried later");
            assert_eq!(detail.body["attempt_count"], 1);
            assert!(detail.body["last_error"].is_string(), "{:#}", detail.body);
            let attempts = detail.body["attempts"].as_array().expect("attempts");
            assert_eq!(attempts.len(), 1);
            assert_eq!(attempts[0]["attempt"], 1);
            assert_eq!(attempts[0]["status_code"], 500);
            assert!(attempts[0]["duration_ms"].is_u64());

            for (query, field) in [
                ("status=sent", "status"),
                ("event=review.deleted", "event"),
                ("workflow=triage", "workflow"),
            ] {
                let answer = server
                    .get(&format!("/v1/webhooks/deliveries?{query}"))
                    .await;
                answer.assert_error(400, "invalid_input");
                assert_eq!(answer.field(), field, "{query}");
            }
            server
                .get("/v1/webhooks/deliveries/01J9ZQ3V6T8K2M4N5P7R9S1T3V")
                .await
                .assert_error(404, "not_found");
            let bad = server.get("/v1/webhooks/deliveries/x").await;
            bad.assert_error(400, "invalid_input");
            assert_eq!(bad.field(), "id");
            server.stop().await;
        },
    );
}
