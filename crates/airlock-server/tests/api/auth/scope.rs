//! Listings are narrowed to the workflows the key may read: a reviewer or
//! an app granted only `triage` sees only its runs, reviews and
//! workflows, and asking for `?workflow=panel` (or any workflow it is not
//! granted, known or not) is `403`. An auditor sees everything.

use airlock_core::{Role, WorkflowGrant};
use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};

use super::credentials::only;
use crate::support::server::{client_with_key, read, Answer};
use crate::support::TestServer;

/// The `member` of every item of a page, sorted.
fn members(page: &Answer, member: &str) -> Vec<String> {
    assert_eq!(page.status, 200, "{:#}", page.body);
    let mut values: Vec<String> = page.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item[member].as_str().unwrap_or_default().to_string())
        .collect();
    values.sort();
    values
}

async fn get(client: &reqwest::Client, server: &TestServer, path: &str) -> Answer {
    read(client.get(server.url(path))).await
}

#[test]
fn listings_show_only_the_granted_workflows_and_other_filters_are_403() {
    run_on_each_database(
        "listings_show_only_the_granted_workflows_and_other_filters_are_403",
        |db| async move {
            let server = TestServer::start(&db).await;
            let stolen = json!({"message": "my card was stolen"});
            server.run_ok("triage", &stolen).await;
            server
                .run_ok("triage", &json!({"message": "where is my card?"}))
                .await;
            let panel_run = server.run_ok("panel", &stolen).await;
            server.run("triage", &json!({"message": 1}), None).await;
            server.run("panel", &json!({"message": 2}), None).await;

            // What an admin sees of each workflow is the reference.
            let admin = server.client.clone();
            let of = |page: &str, workflow: &str| format!("/v1/{page}?workflow={workflow}");
            let triage_runs = members(&get(&admin, &server, &of("runs", "triage")).await, "run_id");
            let triage_reviews = members(
                &get(&admin, &server, &of("reviews", "triage")).await,
                "review_id",
            );
            let all_runs = members(&get(&admin, &server, "/v1/runs").await, "run_id");
            let all_reviews = members(&get(&admin, &server, "/v1/reviews").await, "review_id");
            let all_quarantine = members(&get(&admin, &server, "/v1/quarantine").await, "id");
            assert_eq!(triage_runs.len(), 3, "two runs and a quarantined one");
            assert_eq!(triage_reviews.len(), 1);
            assert_eq!(
                (all_runs.len(), all_reviews.len(), all_quarantine.len()),
                (5, 2, 2)
            );

            let reviewer =
                client_with_key(&server.mint("rita", Role::Reviewer, only("triage")).await);
            let app = client_with_key(&server.mint("crm", Role::App, only("triage")).await);
            for (who, client, reviews) in [
                ("reviewer", &reviewer, triage_reviews.clone()),
                ("app", &app, Vec::new()),
            ] {
                let runs = get(client, &server, "/v1/runs").await;
                assert_eq!(members(&runs, "run_id"), triage_runs, "{who}: runs");
                let queue = get(client, &server, "/v1/reviews").await;
                assert_eq!(members(&queue, "review_id"), reviews, "{who}: reviews");
                let workflows = get(client, &server, "/v1/workflows").await;
                assert_eq!(members(&workflows, "name"), ["triage"], "{who}: workflows");
                let quarantine = get(client, &server, "/v1/quarantine").await;
                assert_eq!(
                    members(&quarantine, "id"),
                    Vec::<String>::new(),
                    "{who}: quarantine"
                );

                for path in [
                    of("runs", "panel"),
                    of("reviews", "panel"),
                    of("quarantine", "panel"),
                    of("runs", "no-such-workflow"),
                    "/v1/workflows/panel".to_string(),
                    format!(
                        "/v1/runs/{}",
                        panel_run["run_id"].as_str().unwrap_or_default()
                    ),
                ] {
                    let answer = get(client, &server, &path).await;
                    answer.assert_error(403, "forbidden");
                    assert!(
                        answer.message().contains("not granted workflow `"),
                        "{who} {path}: {}",
                        answer.message()
                    );
                }
            }

            // A caller who may not see a workflow cannot tell whether it
            // exists; one who may gets the 404. Unknown ids are 404 for all.
            let unknown = "/v1/workflows/no-such-workflow";
            get(&reviewer, &server, unknown)
                .await
                .assert_error(403, "forbidden");
            get(&admin, &server, unknown)
                .await
                .assert_error(404, "not_found");
            let everywhere =
                client_with_key(&server.mint("rex", Role::Reviewer, WorkflowGrant::All).await);
            get(&everywhere, &server, unknown)
                .await
                .assert_error(404, "not_found");
            get(&app, &server, "/v1/runs/01J9ZQ3V6T8K2M4N5P7R9S1T3V")
                .await
                .assert_error(404, "not_found");

            let developer =
                client_with_key(&server.mint("dev", Role::Developer, only("panel")).await);
            let runs = get(&developer, &server, "/v1/runs").await;
            assert_eq!(
                members(&runs, "workflow"),
                ["panel", "panel"],
                "the run and the quarantined one"
            );
            let queue = get(&developer, &server, "/v1/reviews").await;
            assert_eq!(members(&queue, "workflow"), ["panel"]);
            let quarantine = get(&developer, &server, "/v1/quarantine").await;
            assert_eq!(members(&quarantine, "workflow"), ["panel"]);

            let auditor = client_with_key(
                &server
                    .mint("audit", Role::Auditor, WorkflowGrant::All)
                    .await,
            );
            for (path, member, expected) in [
                ("/v1/runs", "run_id", &all_runs),
                ("/v1/reviews", "review_id", &all_reviews),
                ("/v1/quarantine", "id", &all_quarantine),
            ] {
                let page = get(&auditor, &server, path).await;
                assert_eq!(&members(&page, member), expected, "auditor: {path}");
            }
            let page: Value = get(&auditor, &server, "/v1/workflows").await.body;
            assert_eq!(page["items"].as_array().map(Vec::len), Some(3));
            server.stop().await;
        },
    );
}
