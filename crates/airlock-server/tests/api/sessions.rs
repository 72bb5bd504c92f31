//! Dashboard sessions over HTTP: signing in sets a strict, HttpOnly,
//! Secure cookie that then authenticates like the key; a cookie request
//! that changes state needs the session's CSRF token; signing out and
//! revoking the key end the session; forged cookies and cross-site
//! sign-ins are refused; sessions are audited. Also the dashboard's files
//! and the workflow timeline its charts read.

use airlock_core::Role;
use airlock_testkit::run_on_each_database;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::{json, Value};

use crate::support::server::{read, Answer};
use crate::support::TestServer;

/// Signs in with `key`; returns the answer and the cookie to send back.
async fn sign_in(server: &TestServer, key: &str) -> (Answer, String) {
    let answer = read(
        reqwest::Client::new()
            .post(server.url("/v1/sessions"))
            .json(&json!({ "key": key })),
    )
    .await;
    let cookie = answer
        .headers
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_string();
    (answer, cookie)
}

fn with_cookie(request: reqwest::RequestBuilder, cookie: &str) -> reqwest::RequestBuilder {
    request.header(COOKIE, cookie)
}

async fn review_task(server: &TestServer) -> String {
    let run = server
        .run_ok("triage", &json!({"message": "my card was stolen"}))
        .await;
    run["review_id"]
        .as_str()
        .expect("a review task")
        .to_string()
}

#[test]
fn a_session_cookie_authenticates_like_its_key_and_needs_csrf_to_change_state() {
    run_on_each_database(
        "a_session_cookie_authenticates_like_its_key_and_needs_csrf_to_change_state",
        |db| async move {
            let server = TestServer::start(&db).await;
            let key = server.key_for("rita", Role::Reviewer).await;
            let (answer, cookie) = sign_in(&server, &key).await;
            assert_eq!(answer.status, 201, "{:#}", answer.body);
            let set = answer.headers[SET_COOKIE].to_str().expect("ascii");
            for flag in [
                "HttpOnly",
                "SameSite=Strict",
                "Secure",
                "Path=/",
                "Max-Age=28800",
            ] {
                assert!(set.contains(flag), "{flag} missing in {set}");
            }
            assert!(!set.contains(&key), "the cookie never holds the key");
            assert_eq!(answer.body["name"], "rita");
            assert_eq!(answer.body["role"], "reviewer");
            let csrf = answer.body["csrf_token"]
                .as_str()
                .expect("csrf")
                .to_string();
            let actions = &answer.body["workflow_actions"];
            assert!(actions["resolve_review"]
                .as_array()
                .expect("list")
                .contains(&json!("triage")));
            assert_eq!(actions["run"], json!([]), "{actions}");
            let service = answer.body["service_actions"].as_array().expect("list");
            assert!(!service.contains(&json!("read_audit")), "{service:?}");

            let client = reqwest::Client::new();
            let current = read(with_cookie(client.get(server.url("/v1/session")), &cookie)).await;
            assert_eq!(current.status, 200, "{:#}", current.body);
            assert_eq!(current.body["csrf_token"], csrf.as_str());
            let me = read(with_cookie(client.get(server.url("/v1/me")), &cookie)).await;
            assert_eq!(me.body["name"], "rita");
            // The policies apply to the session as to the key.
            read(with_cookie(client.get(server.url("/v1/audit")), &cookie))
                .await
                .assert_error(403, "forbidden");

            let review = review_task(&server).await;
            let claim = |token: Option<&str>| {
                let mut request = with_cookie(
                    client.post(server.url(&format!("/v1/reviews/{review}/claim"))),
                    &cookie,
                )
                .json(&json!({"reviewer": "rita"}));
                if let Some(token) = token {
                    request = request.header("X-CSRF-Token", token);
                }
                read(request)
            };
            let missing = claim(None).await;
            missing.assert_error(403, "forbidden");
            assert_eq!(missing.field(), "X-CSRF-Token");
            let other = sign_in(&server, &key).await.0.body["csrf_token"]
                .as_str()
                .expect("csrf")
                .to_string();
            claim(Some(&other)).await.assert_error(403, "forbidden");
            claim(Some("not-hex")).await.assert_error(403, "forbidden");
            let task = server.get(&format!("/v1/reviews/{review}")).await;
            assert_eq!(
                task.body["claims"],
                json!([]),
                "refused requests change nothing"
            );
            let claimed = claim(Some(&csrf)).await;
            assert_eq!(claimed.status, 200, "{:#}", claimed.body);
            assert_eq!(claimed.body["claims"][0]["reviewer"], "rita");

            // A bearer key wins over a cookie and needs no CSRF token.
            let bearer = server.client_for("rita").await;
            let release = read(
                with_cookie(
                    bearer.post(server.url(&format!("/v1/reviews/{review}/release"))),
                    &cookie,
                )
                .json(&json!({"reviewer": "rita"})),
            )
            .await;
            assert_eq!(release.status, 200, "{:#}", release.body);
            server.stop().await;
        },
    );
}

#[test]
fn signing_out_or_revoking_the_key_ends_the_session_and_both_are_audited() {
    run_on_each_database(
        "signing_out_or_revoking_the_key_ends_the_session_and_both_are_audited",
        |db| async move {
            let server = TestServer::start(&db).await;
            let client = reqwest::Client::new();
            let key = server.key_for("olga", Role::Developer).await;
            let (answer, cookie) = sign_in(&server, &key).await;
            let csrf = answer.body["csrf_token"]
                .as_str()
                .expect("csrf")
                .to_string();
            let sign_out = |token: Option<&str>| {
                let mut request =
                    with_cookie(client.post(server.url("/v1/session/sign-out")), &cookie);
                if let Some(token) = token {
                    request = request.header("X-CSRF-Token", token);
                }
                read(request)
            };
            sign_out(None).await.assert_error(403, "forbidden");
            let out = sign_out(Some(&csrf)).await;
            assert_eq!(out.status, 204, "{:#}", out.body);
            assert!(out.headers[SET_COOKIE]
                .to_str()
                .expect("ascii")
                .contains("Max-Age=0"));
            let after = read(with_cookie(client.get(server.url("/v1/session")), &cookie)).await;
            after.assert_error(401, "unauthenticated");
            assert!(
                after.message().contains("signed out"),
                "{}",
                after.message()
            );

            // Revoking the key ends a live session on the next request.
            let (_, cookie) = sign_in(&server, &key).await;
            let live = read(with_cookie(client.get(server.url("/v1/me")), &cookie)).await;
            assert_eq!(live.status, 200);
            let id = live.body["key_id"].as_str().expect("key id").to_string();
            server.engine.revoke_key(None, &id).await.expect("revoke");
            let revoked = read(with_cookie(client.get(server.url("/v1/me")), &cookie)).await;
            revoked.assert_error(401, "unauthenticated");
            assert!(
                revoked.message().contains("revoked"),
                "{}",
                revoked.message()
            );

            let audit = server.get("/v1/audit?event=session.started").await;
            assert_eq!(
                audit.body["items"].as_array().expect("items").len(),
                2,
                "{:#}",
                audit.body
            );
            let ended = server.get("/v1/audit?event=session.ended").await;
            let ended = &ended.body["items"][0];
            assert_eq!(ended["subject"], format!("key:{id}"));
            assert!(
                !ended["details"].to_string().contains(&cookie[16..]),
                "the cookie is not logged"
            );
            server.stop().await;
        },
    );
}

#[test]
fn forged_cookies_and_cross_site_sign_ins_are_refused() {
    run_on_each_database(
        "forged_cookies_and_cross_site_sign_ins_are_refused",
        |db| async move {
            let server = TestServer::start(&db).await;
            let client = reqwest::Client::new();
            let key = server.key_for("rita", Role::Reviewer).await;
            let (_, cookie) = sign_in(&server, &key).await;
            // Another expiry under the same MAC, another server's key, junk.
            let (name, value) = cookie.split_once('=').expect("name=value");
            let mut parts: Vec<&str> = value.split('.').collect();
            let later = (parts[2].parse::<i64>().expect("expiry") + 86_400).to_string();
            parts[2] = &later;
            let forged = format!("{name}={}", parts.join("."));
            let foreign_key = airlock_server::session::SessionKey::random();
            let foreign = format!("{name}={}", foreign_key.issue(parts[1], i64::MAX / 2));
            for bad in [forged, foreign, format!("{name}=junk")] {
                let answer = read(with_cookie(client.get(server.url("/v1/me")), &bad)).await;
                answer.assert_error(401, "unauthenticated");
            }

            let from = |origin: &str| {
                read(
                    client
                        .post(server.url("/v1/sessions"))
                        .header("Origin", origin)
                        .json(&json!({ "key": key })),
                )
            };
            let evil = from("https://evil.example").await;
            evil.assert_error(403, "forbidden");
            assert!(!evil.headers.contains_key(SET_COOKIE));
            let host = server.base.trim_start_matches("http://").to_string();
            assert_eq!(from(&format!("http://{host}")).await.status, 201);
            let form = read(
                client
                    .post(server.url("/v1/sessions"))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(format!("key={key}")),
            )
            .await;
            form.assert_error(415, "unsupported_media_type");
            let (wrong, _) = sign_in(
                &server,
                "alk_nosuchkey_abcdefghijklmnopqrstuvwxyz234567abcdefghijklmn",
            )
            .await;
            wrong.assert_error(401, "unauthenticated");
            assert!(!wrong.headers.contains_key(SET_COOKIE));
            let unknown = read(
                client
                    .post(server.url("/v1/sessions"))
                    .json(&json!({"key": key, "remember": true})),
            )
            .await;
            unknown.assert_error(400, "invalid_input");
            assert_eq!(unknown.field(), "remember");
            server.stop().await;
        },
    );
}

#[test]
fn the_dashboard_files_are_served_with_a_strict_content_security_policy() {
    run_on_each_database(
        "the_dashboard_files_are_served_with_a_strict_content_security_policy",
        |db| async move {
            let server = TestServer::start(&db).await;
            let anyone = reqwest::Client::new();
            for path in [
                "/ui",
                "/ui/",
                "/ui/reviews/01J9ZQ3V6T8K2M4N5P7R9S1T3V",
                "/ui/workflows/triage",
            ] {
                let response = anyone.get(server.url(path)).send().await.expect("answer");
                assert_eq!(response.status(), 200, "{path}");
                let headers = response.headers().clone();
                assert!(headers[CONTENT_TYPE]
                    .to_str()
                    .expect("ascii")
                    .starts_with("text/html"));
                let csp = headers["content-security-policy"].to_str().expect("ascii");
                assert!(
                    csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
                    "{csp}"
                );
                assert_eq!(headers["x-frame-options"], "DENY");
                let page = response.text().await.expect("text");
                assert!(page.contains("/ui/js/app.js"), "{page}");
                assert!(
                    !page.contains("http://") && !page.contains("https://"),
                    "nothing from elsewhere"
                );
            }
            let script = anyone
                .get(server.url("/ui/js/app.js"))
                .send()
                .await
                .expect("answer");
            assert_eq!(script.status(), 200);
            assert!(script.headers()[CONTENT_TYPE]
                .to_str()
                .expect("ascii")
                .starts_with("text/javascript"));
            let chart = anyone
                .get(server.url("/ui/vendor/uplot/uPlot.iife.min.js"))
                .send()
                .await
                .expect("answer");
            assert_eq!(chart.status(), 200);
            let missing = anyone
                .get(server.url("/ui/js/missing.js"))
                .send()
                .await
                .expect("answer");
            assert_eq!(missing.status(), 404);
            // The API stays closed without a key.
            read(anyone.get(server.url("/v1/reviews")))
                .await
                .assert_error(401, "unauthenticated");
            server.stop().await;
        },
    );
}

#[test]
fn the_timeline_counts_every_run_in_its_bucket() {
    run_on_each_database(
        "the_timeline_counts_every_run_in_its_bucket",
        |db| async move {
            let server = TestServer::start(&db).await;
            for message in ["hello", "my card was stolen", "hello again"] {
                server
                    .run_ok("triage", &json!({ "message": message }))
                    .await;
            }
            let answer = server.get("/v1/workflows/triage/timeline?bucket=10m").await;
            assert_eq!(answer.status, 200, "{:#}", answer.body);
            let buckets = answer.body["buckets"].as_array().expect("buckets");
            assert_eq!(buckets.len(), 144, "24 hours of 10-minute buckets");
            let total: u64 = buckets
                .iter()
                .map(|b| b["runs"].as_u64().expect("runs"))
                .sum();
            assert_eq!(total, 3);
            let last = buckets
                .iter()
                .rev()
                .find(|b| b["runs"] != 0)
                .expect("a bucket with runs");
            let decisions: u64 = ["auto", "review", "fallback", "block"]
                .iter()
                .map(|d| last["decisions"][d].as_u64().expect("count"))
                .sum();
            assert_eq!(decisions, last["runs"].as_u64().expect("runs"));
            assert!(last["decisions"]["review"].as_u64().expect("review") >= 1);
            assert!(last["p99_ms"].as_f64().expect("p99") >= last["p50_ms"].as_f64().expect("p50"));
            assert_eq!(
                buckets[0]["p50_ms"],
                Value::Null,
                "an empty bucket has no latency"
            );
            let too_many = server.get("/v1/workflows/triage/timeline?bucket=1s").await;
            too_many.assert_error(400, "invalid_input");
            assert_eq!(too_many.field(), "bucket");
            server
                .get("/v1/workflows/triage/timeline?window=1h")
                .await
                .assert_error(400, "invalid_input");
            server
                .get("/v1/workflows/nope/timeline")
                .await
                .assert_error(404, "not_found");
            server.stop().await;
        },
    );
}
