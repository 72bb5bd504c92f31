//! The reviewer of a claim, release or vote is the key's name: a body
//! `reviewer` naming the key itself is accepted, one naming someone else
//! is `403` (field `reviewer`), even for an admin, and each such refusal
//! is in the audit log as an `access.denied` record.

use airlock_core::Role;
use airlock_testkit::run_on_each_database;
use serde_json::json;

use super::credentials::only;
use crate::support::server::{client_with_key, read};
use crate::support::TestServer;

#[test]
fn a_key_acts_only_as_its_own_reviewer() {
    run_on_each_database("a_key_acts_only_as_its_own_reviewer", |db| async move {
        let server = TestServer::start(&db).await;
        let run = server
            .run_ok("triage", &json!({"message": "my card was stolen"}))
            .await;
        let review = run["review_id"].as_str().expect("a review task");
        let rita = client_with_key(&server.mint("rita", Role::Reviewer, only("triage")).await);
        let admin = client_with_key(&server.mint("ops", Role::Admin, only("triage")).await);
        for (client, who) in [(&rita, "rita"), (&admin, "ops")] {
            for (operation, body) in [
                ("claim", json!({"reviewer": "someone-else"})),
                ("release", json!({"reviewer": "someone-else"})),
                (
                    "resolve",
                    json!({"reviewer": "someone-else", "action": "approve"}),
                ),
            ] {
                let url = server.url(&format!("/v1/reviews/{review}/{operation}"));
                let answer = read(client.post(url).json(&body)).await;
                answer.assert_error(403, "forbidden");
                assert_eq!(answer.field(), "reviewer", "{who} {operation}");
                assert!(
                    answer
                        .message()
                        .contains("cannot act as reviewer `someone-else`"),
                    "{who} {operation}: {}",
                    answer.message()
                );
            }
        }
        let denials = server.get("/v1/audit?event=access.denied").await;
        assert_eq!(denials.status, 200, "{:#}", denials.body);
        let reasons: Vec<&str> = denials.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|r| r["workflow"] == "triage")
            .filter_map(|r| r["details"]["reason"].as_str())
            .filter(|reason| reason.contains("cannot act as reviewer `someone-else`"))
            .collect();
        assert_eq!(
            reasons.len(),
            6,
            "every refusal audited: {:#}",
            denials.body
        );
        let url = |operation: &str| server.url(&format!("/v1/reviews/{review}/{operation}"));
        let claimed = read(rita.post(url("claim")).json(&json!({"reviewer": "rita"}))).await;
        assert_eq!(claimed.status, 200, "{:#}", claimed.body);
        assert_eq!(claimed.body["claims"][0]["reviewer"], "rita");
        let resolved = read(
            rita.post(url("resolve"))
                .json(&json!({"action": "approve"})),
        )
        .await;
        assert_eq!(resolved.status, 200, "{:#}", resolved.body);
        assert_eq!(
            resolved.body["resolution"]["decided_by"],
            json!(["rita"]),
            "{:#}",
            resolved.body
        );
        server.stop().await;
    });
}
