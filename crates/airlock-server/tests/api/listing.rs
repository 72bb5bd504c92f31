//! `GET /v1/runs` and `GET /v1/quarantine`: filters, cursor paging, and
//! parameters that are rejected by name.

use std::collections::HashSet;

use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};

use crate::support::TestServer;

#[test]
fn runs_filter_by_workflow_decision_and_time_and_page_with_cursors() {
    run_on_each_database(
        "runs_filter_by_workflow_decision_and_time_and_page_with_cursors",
        |db| async move {
            let server = TestServer::start(&db).await;
            let before = server.get("/v1/runs").await;
            assert_eq!(before.body, json!({"items": [], "next_cursor": null}));

            let mut created = Vec::new();
            for i in 0..5 {
                let body = server
                    .run_ok("triage", &json!({"message": format!("where is card {i}?")}))
                    .await;
                created.push(body["run_id"].clone());
            }
            for i in 0..2 {
                server
                    .run_ok(
                        "triage",
                        &json!({"message": format!("card {i} was stolen")}),
                    )
                    .await;
            }
            server.run_ok("strict", &json!({"text": "x"})).await;

            // Pages of 2 over the 5 auto runs: 2 + 2 + 1, newest first, no overlap.
            let mut seen: Vec<Value> = Vec::new();
            let mut cursor: Option<String> = None;
            let mut pages = 0;
            loop {
                let mut path = "/v1/runs?workflow=triage&decision=auto&limit=2".to_string();
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let page = server.get(&path).await;
                assert_eq!(page.status, 200, "{:#}", page.body);
                pages += 1;
                for item in page.body["items"].as_array().expect("items") {
                    assert_eq!(item["decision"], "auto");
                    assert_eq!(item["workflow"], "triage");
                    assert!(
                        item["input"]["message"].is_string(),
                        "list items carry the input"
                    );
                    seen.push(item["run_id"].clone());
                }
                match page.body["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_string()),
                    None => break,
                }
                assert!(pages < 10, "paging must end");
            }
            assert_eq!(pages, 3);
            // Newest first is id order (ULIDs; two runs in one millisecond may
            // be in either order, so the expectation sorts rather than assumes).
            let mut expected = created.clone();
            expected.sort_by(|a, b| b.as_str().cmp(&a.as_str()));
            assert_eq!(seen, expected, "newest first, each run once");

            let review = server.get("/v1/runs?decision=review").await;
            assert_eq!(review.body["items"].as_array().map(Vec::len), Some(2));
            let all = server.get("/v1/runs?limit=1000").await;
            assert_eq!(all.body["items"].as_array().map(Vec::len), Some(8));
            let strict = server.get("/v1/runs?workflow=strict").await;
            assert_eq!(strict.body["items"].as_array().map(Vec::len), Some(1));

            let future = server.get("/v1/runs?since=2999-01-01T00:00:00Z").await;
            assert_eq!(future.body["items"], json!([]));
            let past = server
                .get("/v1/runs?since=2000-01-01T00:00:00%2B02:00")
                .await;
            assert_eq!(
                past.body["items"].as_array().map(Vec::len),
                Some(8),
                "{:#}",
                past.body
            );
            let ids: HashSet<String> = all.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["run_id"].as_str().unwrap_or_default().to_string())
                .collect();
            assert_eq!(ids.len(), 8);
            server.stop().await;
        },
    );
}

#[test]
fn bad_list_parameters_are_400_naming_the_parameter() {
    run_on_each_database(
        "bad_list_parameters_are_400_naming_the_parameter",
        |db| async move {
            let server = TestServer::start(&db).await;
            for (query, field) in [
                ("decision=maybe", "decision"),
                ("since=yesterday", "since"),
                ("since=2024-13-01T00:00:00Z", "since"),
                ("limit=0", "limit"),
                ("limit=1001", "limit"),
                ("limit=-1", "limit"),
                ("cursor=nope", "cursor"),
                ("workflow=", "workflow"),
                ("decison=auto", "decison"),
                ("limit=5&limit=6", "limit"),
            ] {
                let answer = server.get(&format!("/v1/runs?{query}")).await;
                answer.assert_error(400, "invalid_input");
                assert_eq!(answer.field(), field, "?{query}: {:#}", answer.body);
            }
            let typo = server.get("/v1/runs?workflw=triage&decison=auto").await;
            assert!(
                typo.message().contains("workflw, decison"),
                "{:#}",
                typo.body
            );

            for (query, field) in [
                ("limit=0", "limit"),
                ("cursor=x", "cursor"),
                ("decision=auto", "decision"),
            ] {
                let answer = server.get(&format!("/v1/quarantine?{query}")).await;
                answer.assert_error(400, "invalid_input");
                assert_eq!(answer.field(), field, "?{query}");
            }
            server.stop().await;
        },
    );
}

#[test]
fn quarantine_pages_with_cursors() {
    run_on_each_database("quarantine_pages_with_cursors", |db| async move {
        let server = TestServer::start(&db).await;
        for i in 0..3 {
            let answer = server.run("triage", &json!({"message": i}), None).await;
            answer.assert_error(400, "invalid_input");
        }
        let first = server.get("/v1/quarantine?limit=2").await;
        assert_eq!(first.body["items"].as_array().map(Vec::len), Some(2));
        let cursor = first.body["next_cursor"]
            .as_str()
            .expect("a second page")
            .to_string();
        let second = server
            .get(&format!("/v1/quarantine?limit=2&cursor={cursor}"))
            .await;
        assert_eq!(second.body["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(second.body["next_cursor"], Value::Null);
        let items: Vec<&Value> = first.body["items"]
            .as_array()
            .into_iter()
            .chain(second.body["items"].as_array())
            .flatten()
            .collect();
        let ids: Vec<&str> = items
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default())
            .collect();
        let mut newest_first = ids.clone();
        newest_first.sort_by(|a, b| b.cmp(a));
        assert_eq!(ids, newest_first, "newest (highest id) first, no overlap");
        let mut inputs: Vec<i64> = items
            .iter()
            .filter_map(|i| i["input"]["message"].as_i64())
            .collect();
        inputs.sort_unstable();
        assert_eq!(inputs, [0, 1, 2], "each input once");
        server.stop().await;
    });
}
