//! The endpoint × credential matrix: every route of the route table,
//! called with each credential of `credentials::COLUMNS` on real fixtures,
//! answers exactly the status the default policies say. Every `403` is the
//! `forbidden` error naming the action refused, and every one is in the
//! audit log as `access.denied`, by key and request. The table below is
//! the one `docs/authorization.md` shows; a route without a row fails the
//! test.

use std::collections::BTreeSet;

use airlock_server::served_routes;
use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};

use super::credentials::{self, Credential, COLUMNS, FAILING, GRANTED};
use crate::support::server::{read, Answer};
use crate::support::TestServer;

/// What a row's `{id}` or `{name}` is replaced with (per credential for
/// the calls that change what they act on).
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The template has no parameter.
    Nothing,
    /// `triage`.
    Workflow,
    /// A `triage` run that went to review.
    Run,
    /// That run's review task.
    Review,
    /// An open task of the credential's own.
    ReviewToClaim,
    /// A task the credential's name has claimed.
    ReviewToRelease,
    /// Another open task of the credential's own.
    ReviewToResolve,
    /// A webhook delivery (the first task's `review.created`).
    Delivery,
    /// A key of the credential's own to revoke.
    KeyToRevoke,
}

/// One endpoint as called, and what each credential gets.
struct Row {
    method: &'static str,
    template: &'static str,
    query: &'static str,
    target: Target,
    /// The body of a `POST` (given the credential's column).
    body: Option<fn(usize) -> Value>,
    /// The actions the handler authorizes, in order: a `403` names one.
    actions: &'static [&'static str],
    /// The status for each credential, in [`COLUMNS`] order.
    expect: [u16; 11],
}

impl Row {
    fn body(mut self, body: fn(usize) -> Value) -> Row {
        self.body = Some(body);
        self
    }
}

/// A row for a route that needs a key: the five failing credentials get
/// `401`, the six keys `roles` (admin, developer, reviewer, auditor, app,
/// app granted `strict` only).
fn row(
    route: &'static str,
    target: Target,
    actions: &'static [&'static str],
    roles: [u16; 6],
) -> Row {
    let (method, rest) = route.split_once(' ').expect("`METHOD /path`");
    let (template, query) = rest.find('?').map_or((rest, ""), |at| rest.split_at(at));
    let mut expect = [401; 11];
    expect[FAILING..].copy_from_slice(&roles);
    Row {
        method,
        template,
        query,
        target,
        body: None,
        actions,
        expect,
    }
}

/// A row whose every credential, failing or not, gets `status`.
fn every(route: &'static str, status: u16) -> Row {
    let mut same = row(route, Target::Nothing, &[], [status; 6]);
    same.expect = [status; 11];
    same
}

/// A row for a route anyone may call, with any credential or none.
fn public(route: &'static str) -> Row {
    let mut open = row(route, Target::Nothing, &[], [200; 6]);
    open.expect = [200; 11];
    open
}

/// Every endpoint, one row each (lists twice: unfiltered, narrowed to what
/// the key may read, and with `?workflow=triage`, authorized as asked).
/// Not formatted by rustfmt, which would break the columns apart.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Target::*;
    vec![
        //  route                                        target           actions                      admin  dev  rev  aud  app  app(strict)
        row("POST /v1/workflows/{name}/runs",            Workflow,        &["run"],                    [200, 200, 403, 403, 200, 403]).body(run_input),
        row("GET /v1/runs",                              Nothing,         &[],                         [200, 200, 200, 200, 200, 200]),
        row("GET /v1/runs?workflow=triage",              Nothing,         &["read_run"],               [200, 200, 200, 200, 200, 403]),
        row("GET /v1/runs/{id}",                         Run,             &["read_run"],               [200, 200, 200, 200, 200, 403]),
        row("GET /v1/runs/{id}?view=raw",                Run,             &["read_run", "read_raw"],   [200, 403, 403, 403, 403, 403]),
        row("POST /v1/runs/{id}/feedback",               Run,             &["add_feedback"],           [201, 201, 403, 403, 201, 403]).body(feedback),
        row("GET /v1/runs/{id}/feedback",                Run,             &["read_run"],               [200, 200, 200, 200, 200, 403]),
        row("GET /v1/workflows",                         Nothing,         &[],                         [200, 200, 200, 200, 200, 200]),
        row("GET /v1/workflows/{name}",                  Workflow,        &["read_workflow"],          [200, 200, 200, 200, 200, 403]),
        row("GET /v1/workflows/{name}/quality",          Workflow,        &["read_workflow"],          [200, 200, 200, 200, 200, 403]),
        row("GET /v1/workflows/{name}/timeline",         Workflow,        &["read_workflow"],          [200, 200, 200, 200, 200, 403]),
        row("GET /v1/quarantine",                        Nothing,         &[],                         [200, 200, 200, 200, 200, 200]),
        row("GET /v1/quarantine?workflow=triage",        Nothing,         &["read_quarantine"],        [200, 200, 403, 200, 403, 403]),
        row("GET /v1/reviews",                           Nothing,         &[],                         [200, 200, 200, 200, 200, 200]),
        row("GET /v1/reviews?workflow=triage",           Nothing,         &["read_review"],            [200, 200, 200, 200, 403, 403]),
        row("GET /v1/reviews/{id}",                      Review,          &["read_review"],            [200, 200, 200, 200, 403, 403]),
        row("POST /v1/reviews/{id}/claim",               ReviewToClaim,   &["resolve_review"],         [200, 403, 200, 403, 403, 403]).body(empty),
        row("POST /v1/reviews/{id}/release",             ReviewToRelease, &["resolve_review"],         [200, 403, 200, 403, 403, 403]).body(empty),
        row("POST /v1/reviews/{id}/resolve",             ReviewToResolve, &["resolve_review"],         [200, 403, 200, 403, 403, 403]).body(approve),
        row("GET /v1/webhooks/deliveries",               Nothing,         &["read_deliveries"],        [200, 200, 403, 200, 403, 403]),
        row("GET /v1/webhooks/deliveries/{id}",          Delivery,        &["read_deliveries"],        [200, 200, 403, 200, 403, 403]),
        row("POST /v1/keys",                             Nothing,         &["manage_keys"],            [201, 403, 403, 403, 403, 403]).body(new_key),
        row("GET /v1/keys",                              Nothing,         &["read_keys"],              [200, 403, 403, 200, 403, 403]),
        row("POST /v1/keys/{id}/revoke",                 KeyToRevoke,     &["manage_keys"],            [200, 403, 403, 403, 403, 403]),
        row("GET /v1/me",                                Nothing,         &[],                         [200, 200, 200, 200, 200, 200]),
        // Sign-in reads the key from its body, never the header: a wrong one is 401 for everyone.
        every("POST /v1/sessions", 401).body(wrong_sign_in),
        // A bearer key has no session to show or end.
        row("GET /v1/session",                           Nothing,         &[],                         [404, 404, 404, 404, 404, 404]),
        row("POST /v1/session/sign-out",                 Nothing,         &[],                         [404, 404, 404, 404, 404, 404]),
        // This server has no model routes: a caller allowed to call models is told so (404).
        row("POST /v1/chat/completions",                 Nothing,         &["call_models"],            [404, 404, 403, 403, 404, 404]).body(chat),
        row("POST /v1/embeddings",                       Nothing,         &["call_models"],            [404, 404, 403, 403, 404, 404]).body(embed),
        row("GET /v1/models",                            Nothing,         &["call_models"],            [200, 200, 403, 403, 200, 200]),
        row("GET /v1/usage",                             Nothing,         &["read_usage"],             [200, 200, 403, 200, 403, 403]),
        row("GET /v1/audit",                             Nothing,         &["read_audit"],             [200, 403, 403, 200, 403, 403]),
        row("GET /v1/audit/verify",                      Nothing,         &["read_audit"],             [200, 403, 403, 200, 403, 403]),
        public("GET /healthz"),
        public("GET /readyz"),
        row("GET /metrics",                              Nothing,         &["read_metrics"],           [200, 200, 403, 200, 403, 403]),
        row("GET /openapi.json",                         Nothing,         &["read_api_docs"],          [200, 200, 200, 200, 200, 200]),
    ]
}

fn wrong_sign_in(_: usize) -> Value {
    json!({"key": "alk_nosuchkey_abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwxyz"})
}

fn chat(_: usize) -> Value {
    json!({"model": "any", "messages": [{"role": "user", "content": "hi"}]})
}

fn embed(_: usize) -> Value {
    json!({"model": "any", "input": "hi"})
}

fn run_input(_: usize) -> Value {
    json!({"message": "where is my card?"})
}

fn feedback(column: usize) -> Value {
    json!({"key": format!("matrix-{column}"), "outcome": "ticket_reopened"})
}

fn empty(_: usize) -> Value {
    json!({})
}

fn approve(_: usize) -> Value {
    json!({"action": "approve"})
}

fn new_key(column: usize) -> Value {
    json!({"name": format!("made-by-{column}"), "role": "app", "workflows": [GRANTED]})
}

/// What the rows act on: shared reads, and fresh targets per credential
/// for the calls that change them (so an allowed call succeeds).
struct Fixtures {
    run: String,
    review: String,
    delivery: String,
    to_claim: Vec<String>,
    to_release: Vec<String>,
    to_resolve: Vec<String>,
    to_revoke: Vec<String>,
}

impl Fixtures {
    async fn make(server: &TestServer, credentials: &[Credential]) -> Fixtures {
        let (run, review) = review_run(server).await;
        let deliveries = server.get("/v1/webhooks/deliveries").await;
        let delivery = deliveries.body["items"][0]["delivery_id"]
            .as_str()
            .unwrap_or_else(|| panic!("a review made a delivery: {:#}", deliveries.body))
            .to_string();
        let mut fixtures = Fixtures {
            run,
            review,
            delivery,
            to_claim: Vec::new(),
            to_release: Vec::new(),
            to_resolve: Vec::new(),
            to_revoke: Vec::new(),
        };
        for (column, credential) in credentials.iter().enumerate() {
            fixtures.to_claim.push(review_run(server).await.1);
            let (_, claimed) = review_run(server).await;
            server
                .engine
                .claim_review(claimed.parse().expect("a review id"), &credential.name)
                .await
                .expect("the fresh task is claimed");
            fixtures.to_release.push(claimed);
            fixtures.to_resolve.push(review_run(server).await.1);
            let doomed = server
                .mint(
                    &format!("to-revoke-{column}"),
                    airlock_core::Role::App,
                    credentials::only(GRANTED),
                )
                .await;
            fixtures.to_revoke.push(credentials::key_id(&doomed));
        }
        fixtures
    }

    /// What `target` is for the credential in `column`.
    fn value(&self, target: Target, column: usize) -> &str {
        match target {
            Target::Nothing => "",
            Target::Workflow => GRANTED,
            Target::Run => &self.run,
            Target::Review => &self.review,
            Target::ReviewToClaim => &self.to_claim[column],
            Target::ReviewToRelease => &self.to_release[column],
            Target::ReviewToResolve => &self.to_resolve[column],
            Target::Delivery => &self.delivery,
            Target::KeyToRevoke => &self.to_revoke[column],
        }
    }
}

/// A `triage` run that goes to review: `(run_id, review_id)`.
async fn review_run(server: &TestServer) -> (String, String) {
    let run = server
        .run_ok(GRANTED, &json!({"message": "my card was stolen"}))
        .await;
    let text = |member: &str| {
        run[member]
            .as_str()
            .unwrap_or_else(|| panic!("a review run has {member}: {run:#}"))
            .to_string()
    };
    (text("run_id"), text("review_id"))
}

/// A receiver URL nothing listens on: deliveries are only queued here.
fn webhook() -> airlock_config::WebhookSettings {
    airlock_config::WebhookSettings {
        name: "matrix".into(),
        url: "http://127.0.0.1:9/hook".into(),
        secret: "a-secret-of-at-least-16-bytes".into(),
        events: Vec::new(),
        workflows: Vec::new(),
    }
}

#[test]
fn every_route_answers_each_credential_as_the_default_policies_say() {
    run_on_each_database(
        "every_route_answers_each_credential_as_the_default_policies_say",
        |db| async move {
            let server = TestServer::start_with_webhooks(&db, vec![webhook()]).await;
            let table = table();
            let rows: BTreeSet<(&str, &str)> =
                table.iter().map(|r| (r.method, r.template)).collect();
            let served: BTreeSet<(&str, &str)> =
                served_routes().iter().map(|r| (r.method, r.path)).collect();
            let missing: Vec<_> = served.difference(&rows).collect();
            let unserved: Vec<_> = rows.difference(&served).collect();
            assert!(
                missing.is_empty(),
                "routes without a row in the matrix: {missing:?}"
            );
            assert!(
                unserved.is_empty(),
                "rows for routes the server does not serve: {unserved:?}"
            );

            let credentials = credentials::all(&server).await;
            let fixtures = Fixtures::make(&server, &credentials).await;
            let denials_before = access_denials(&server).await;

            let mut wrong = Vec::new();
            let mut denied = Vec::new();
            let mut checked = 0;
            for row in &table {
                for (column, credential) in credentials.iter().enumerate() {
                    let target = fixtures.value(row.target, column);
                    let path = row
                        .template
                        .replace("{id}", target)
                        .replace("{name}", target);
                    let url = server.url(&format!("{path}{}", row.query));
                    let request = match row.body {
                        Some(body) => credential.client.post(url).json(&body(column)),
                        None if row.method == "POST" => credential.client.post(url),
                        None => credential.client.get(url),
                    };
                    let answer = read(request).await;
                    let call =
                        format!("{} {path}{} as {}", row.method, row.query, credential.label);
                    let expected = row.expect[column];
                    checked += 1;
                    if answer.status.as_u16() != expected {
                        wrong.push(format!(
                            "{call}: {} (expected {expected}): {}",
                            answer.status, answer.body
                        ));
                        continue;
                    }
                    match expected {
                        401 => check_unauthenticated(&answer, &call),
                        403 => {
                            check_forbidden(&answer, row.actions, &call);
                            let key = credential.key_id.clone().expect("only keys get 403");
                            denied.push((key, format!("{} {path}", row.method)));
                        }
                        _ => {}
                    }
                }
            }
            assert!(
                wrong.is_empty(),
                "{} of {checked} calls answered otherwise:\n{}",
                wrong.len(),
                wrong.join("\n")
            );
            assert_eq!(checked, table.len() * COLUMNS.len());

            let mut audited: Vec<(String, String)> = access_denials(&server)
                .await
                .into_iter()
                .filter(|(seq, _, _)| !denials_before.iter().any(|(s, _, _)| s == seq))
                .map(|(_, key, request)| (key, request))
                .collect();
            audited.sort();
            denied.sort();
            assert!(!denied.is_empty(), "the matrix has denials");
            assert_eq!(
                audited.len(),
                denied.len(),
                "one access.denied record per 403"
            );
            assert_eq!(
                audited, denied,
                "each 403 is audited with its key and request"
            );
            server.stop().await;
        },
    );
}

/// Whether `call` is to an OpenAI-compatible path (answered in OpenAI's
/// error shape).
fn openai_path(call: &str) -> bool {
    ["/v1/chat/completions", "/v1/embeddings", "/v1/models"]
        .iter()
        .any(|p| call.contains(&format!(" {p} ")))
}

fn check_unauthenticated(answer: &Answer, call: &str) {
    if openai_path(call) {
        assert_eq!(
            answer.body["error"]["code"], "invalid_api_key",
            "{call}: {}",
            answer.body
        );
    } else {
        answer.assert_error(401, "unauthenticated");
    }
    let challenge = answer
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer"),
        "{call}: WWW-Authenticate `{challenge}`"
    );
}

fn check_forbidden(answer: &Answer, actions: &[&str], call: &str) {
    let message = if openai_path(call) {
        assert_eq!(
            answer.body["error"]["type"], "permission_error",
            "{call}: {}",
            answer.body
        );
        answer.body["error"]["message"].as_str().unwrap_or_default()
    } else {
        answer.assert_error(403, "forbidden");
        answer.message()
    };
    assert!(
        actions
            .iter()
            .any(|a| message.contains(&format!("may not {a} on "))),
        "{call}: the reason names one of {actions:?}: {message}"
    );
}

/// Every `access.denied` record: `(seq, key id, request)`.
async fn access_denials(server: &TestServer) -> Vec<(u64, String, String)> {
    let mut records = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = "/v1/audit?event=access.denied&limit=1000".to_string();
        if let Some(after) = &after {
            path.push_str(&format!("&after={after}"));
        }
        let page = server.get(&path).await;
        assert_eq!(page.status, 200, "{:#}", page.body);
        for record in page.body["items"].as_array().expect("items") {
            let actor = record["actor"].as_str().unwrap_or_default();
            let key = actor
                .strip_prefix("key:")
                .and_then(|rest| rest.split(' ').next())
                .unwrap_or_else(|| panic!("a denial names the key: {record:#}"));
            records.push((
                record["seq"].as_u64().expect("seq"),
                key.to_string(),
                record["subject"].as_str().unwrap_or_default().to_string(),
            ));
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return records,
        }
    }
}
