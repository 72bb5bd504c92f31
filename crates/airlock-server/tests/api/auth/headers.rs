//! The `Authorization` header: what is `401` (no credential, or a
//! credential that is not a valid key, with a `WWW-Authenticate: Bearer`
//! challenge), what is `400` (a header that is broken: too long, not
//! ASCII, sent twice), that messages never echo the token, and that a
//! revoked key is refused on the very next request.

use airlock_core::{Role, WorkflowGrant};
use airlock_engine::access::key_material;
use airlock_testkit::run_on_each_database;
use reqwest::header::{HeaderValue, AUTHORIZATION};

use super::credentials::key_id;
use crate::support::server::{client_with_key, read, Answer};
use crate::support::TestServer;

/// `GET /v1/me` with exactly these `Authorization` values (none, one or
/// several), from a client that adds nothing of its own.
async fn me_with(server: &TestServer, values: &[HeaderValue]) -> Answer {
    let mut request = reqwest::Client::new().get(server.url("/v1/me"));
    for value in values {
        request = request.header(AUTHORIZATION, value.clone());
    }
    read(request).await
}

fn text(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).expect("a valid header value")
}

/// A `401` with the standard body and the Bearer challenge.
fn assert_challenged(answer: &Answer, what: &str) {
    answer.assert_error(401, "unauthenticated");
    let challenge = answer
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer "),
        "{what}: WWW-Authenticate `{challenge}`"
    );
}

#[test]
fn missing_and_non_bearer_credentials_are_401_with_a_bearer_challenge() {
    run_on_each_database(
        "missing_and_non_bearer_credentials_are_401_with_a_bearer_challenge",
        |db| async move {
            let server = TestServer::start(&db).await;
            let missing = me_with(&server, &[]).await;
            assert_challenged(&missing, "no header");
            assert!(
                missing.message().contains("no Authorization header"),
                "{:#}",
                missing.body
            );

            for (value, why) in [
                ("Basic YWxpY2U6c2VjcmV0", "not a Bearer token"),
                ("Bearer", "empty"),
                ("Bearer     ", "empty"),
                ("Token abc", "not a Bearer token"),
                ("Bearer sk-live-0123456789abcdef", "malformed"),
            ] {
                let answer = me_with(&server, &[text(value)]).await;
                assert_challenged(&answer, value);
                assert!(answer.message().contains(why), "{value}: {:#}", answer.body);
            }
            let leaked = me_with(&server, &[text("Bearer sk-live-0123456789abcdef")]).await;
            assert!(
                !leaked.body.to_string().contains("0123456789abcdef"),
                "{:#}",
                leaked.body
            );

            let unknown_route =
                read(reqwest::Client::new().get(server.url("/v1/nothing-here"))).await;
            assert_challenged(&unknown_route, "an unknown route without a key");

            let lower = me_with(&server, &[text(&format!("bearer {}", server.admin_key))]).await;
            assert_eq!(
                lower.status, 200,
                "the scheme is case-insensitive: {:#}",
                lower.body
            );
            server.stop().await;
        },
    );
}

#[test]
fn broken_authorization_headers_are_400_naming_the_header() {
    run_on_each_database(
        "broken_authorization_headers_are_400_naming_the_header",
        |db| async move {
            let server = TestServer::start(&db).await;
            let long = format!("Bearer {}", "a".repeat(2048));
            let mut obs_text = b"Bearer ".to_vec();
            obs_text.extend_from_slice(server.admin_key.as_bytes());
            obs_text.extend_from_slice(&[0xE9, 0xFF]);
            let admin = text(&format!("Bearer {}", server.admin_key));
            for (values, why) in [
                (vec![text(&long)], "bytes, more than the 1024 accepted"),
                (
                    vec![HeaderValue::from_bytes(&obs_text).expect("obs-text is a header value")],
                    "not printable ASCII",
                ),
                (
                    vec![admin.clone(), admin.clone()],
                    "more than one Authorization header",
                ),
            ] {
                let answer = me_with(&server, &values).await;
                answer.assert_error(400, "invalid_input");
                assert_eq!(answer.field(), "Authorization", "{:#}", answer.body);
                assert!(answer.message().contains(why), "{:#}", answer.body);
                assert!(
                    !answer.body.to_string().contains(&server.admin_key),
                    "{:#}",
                    answer.body
                );
            }
            server.stop().await;
        },
    );
}

#[test]
fn a_wrong_secret_is_401_without_echoing_the_token() {
    run_on_each_database(
        "a_wrong_secret_is_401_without_echoing_the_token",
        |db| async move {
            let server = TestServer::start(&db).await;
            let id = key_id(&server.admin_key);
            let other = key_material::generate().key;
            let secret = other.rsplit('_').next().expect("a secret after the id");
            let forged = format!("alk_{id}_{secret}");
            assert_ne!(forged, server.admin_key);
            let answer = me_with(&server, &[text(&format!("Bearer {forged}"))]).await;
            assert_challenged(&answer, "a wrong secret");
            assert!(answer.message().contains("secret"), "{:#}", answer.body);
            let body = answer.body.to_string();
            assert!(!body.contains(&forged) && !body.contains(secret), "{body}");
            server.stop().await;
        },
    );
}

#[test]
fn a_revoked_key_is_refused_on_the_very_next_request() {
    run_on_each_database(
        "a_revoked_key_is_refused_on_the_very_next_request",
        |db| async move {
            let server = TestServer::start(&db).await;
            let key = server
                .mint("short-lived", Role::Developer, WorkflowGrant::All)
                .await;
            let client = client_with_key(&key);
            let me = read(client.get(server.url("/v1/me"))).await;
            assert_eq!(me.status, 200, "{:#}", me.body);

            let id = key_id(&key);
            let revoke = format!("/v1/keys/{id}/revoke");
            let revoked = read(server.client.post(server.url(&revoke))).await;
            assert_eq!(revoked.status, 200, "{:#}", revoked.body);
            let next = read(client.get(server.url("/v1/me"))).await;
            assert_challenged(&next, "a revoked key");
            assert!(next.message().contains("was revoked at"), "{:#}", next.body);
            read(server.client.post(server.url(&revoke)))
                .await
                .assert_error(409, "conflict");

            let expired = super::credentials::expired_key(&server, "stale", Role::Admin).await;
            let stale = read(client_with_key(&expired).get(server.url("/v1/me"))).await;
            assert_challenged(&stale, "an expired key");
            assert!(stale.message().contains("expired at"), "{:#}", stale.body);
            server.stop().await;
        },
    );
}
