//! The review queue across real processes, on both databases: two
//! `airlock serve` processes sharing one database (one PostgreSQL, or one
//! SQLite file) resolve a task exactly once under 16 racing requests and
//! honour each other's claims until the lease lapses; review events reach
//! a webhook receiver signed, also after a restart while the receiver was
//! down; and `airlock review` works the queue in database mode and with
//! `--server`, exiting 75 on conflicts and 77 when forbidden. Over HTTP
//! every reviewer acts with a key of their own, named after them.

mod server_support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use airlock_testkit::run_on_each_database;
use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{json, Value};
use server_support::{
    admin_client, airlock_with as airlock, client_with_key, get, issue_key, post,
    stderr_of as stderr, store_flags, succeeded, write_rule_workflow, Server, ADMIN_KEY,
};

const SECRET: &str = "review-cli-test-secret-0123456789";
/// Longest any wait for another process lasts (a hang guard only).
const PATIENCE: Duration = Duration::from_secs(30);

/// Workflows `refunds` (large refunds go to review; claims lapse after 1 s)
/// and `panel` (every refund reviewed by two people), a config naming
/// `carol` adjudicator and, if given, a webhook endpoint; the global flags
/// pointing `airlock` at them and at `db_url`.
fn setup(db_url: &str, webhook_url: Option<&str>) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflows = write_rule_workflow(&dir.path().join("workflows"));
    let refunds = workflows.join("refunds/workflow.toml");
    let text = std::fs::read_to_string(&refunds).expect("read workflow");
    std::fs::write(&refunds, format!("{text}\n[review]\nlease = \"1s\"\n")).expect("write");
    let panel = workflows.join("panel");
    std::fs::create_dir_all(&panel).expect("create panel dir");
    for file in ["input.schema.json", "output.schema.json", "note.j2"] {
        std::fs::copy(workflows.join("refunds").join(file), panel.join(file)).expect("copy");
    }
    std::fs::write(
        panel.join("workflow.toml"),
        format!("{text}\n[review]\nconsensus = 2\n")
            .replace("name = \"refunds\"", "name = \"panel\""),
    )
    .expect("write panel");

    let mut config = String::from("[review]\nadjudicators = [\"carol\"]\n");
    if let Some(url) = webhook_url {
        config.push_str(&format!(
            "\n[[webhooks]]\nname = \"receiver\"\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n\
             \n[webhook_delivery]\nmax_attempts = 100\ntimeout = \"2s\"\n\
             retry_base = \"100ms\"\nretry_max = \"300ms\"\n"
        ));
    }
    let config_path = dir.path().join("airlock.toml");
    std::fs::write(&config_path, config).expect("write config");
    let mut flags = vec![
        "--config".to_string(),
        config_path.to_str().expect("utf-8 path").to_string(),
    ];
    flags.extend(store_flags(&workflows, &dir.path().join("data"), db_url));
    (dir, flags)
}

fn flag_refs(flags: &[String]) -> Vec<&str> {
    flags.iter().map(String::as_str).collect()
}

/// Sends a large refund to `server` and returns `(run_id, review_id)`.
async fn review_run(client: &reqwest::Client, server: &Server, workflow: &str) -> (String, String) {
    let (status, run) = post(
        client,
        &server.url(&format!("/v1/workflows/{workflow}/runs")),
        &json!({"order": "R-1", "amount": 500}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["decision"], "review", "{run}");
    let review = run["review_id"]
        .as_str()
        .expect("a review task")
        .to_string();
    (run["run_id"].as_str().expect("run_id").to_string(), review)
}

/// Polls `check` until it returns `Some`, for at most [`PATIENCE`].
async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < PATIENCE, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn two_servers_on_one_database_resolve_a_task_exactly_once() {
    run_on_each_database(
        "two_servers_on_one_database_resolve_a_task_exactly_once",
        |db| async move {
            let (_dir, flags) = setup(&db.url, None);
            let args = flag_refs(&flags);
            let (one, two) = (Server::start(&args, &[]), Server::start(&args, &[]));
            let client = admin_client();
            // Reviewers act with keys of their own: the key's name is who acts.
            let alice = client_with_key(&issue_key(&one, "reviewer", "alice").await);
            let bob_key = issue_key(&two, "reviewer", "bob").await;
            let bob = client_with_key(&bob_key);

            // A claim taken through one server holds on the other until its
            // 1 s lease lapses; then the other reviewer gets it.
            let (_, claimed) = review_run(&client, &one, "refunds").await;
            let claim = |server: &Server| server.url(&format!("/v1/reviews/{claimed}/claim"));
            let (status, task) =
                post(&alice, &claim(&one), &json!({"reviewer": "alice"}), None).await;
            assert_eq!(status, 200, "{task}");
            let (status, refused) = post(&bob, &claim(&two), &json!({}), None).await;
            assert_eq!(status, 409, "{refused}");
            let message = refused["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("claimed by alice until"), "{refused}");
            let out = airlock(
                &[],
                &[
                    "review",
                    "claim",
                    &claimed,
                    "--reviewer",
                    "bob",
                    "--server",
                    &two.base,
                ],
                &[("AIRLOCK_API_KEY", &bob_key)],
            );
            assert_eq!(
                out.status.code(),
                Some(75),
                "a conflict exits 75: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("claimed by alice"),
                "{}",
                stderr(&out)
            );
            let mut refusals = 0;
            let taken = wait_for("alice's lease to lapse", || {
                let (client, url) = (bob.clone(), claim(&two));
                refusals += 1;
                async move {
                    let (status, task) =
                        post(&client, &url, &json!({"reviewer": "bob"}), None).await;
                    (status == 200).then_some(task)
                }
            })
            .await;
            assert!(refusals >= 1);
            let holders: Vec<(&str, bool)> = taken["claims"]
                .as_array()
                .expect("claims")
                .iter()
                .map(|c| {
                    (
                        c["reviewer"].as_str().unwrap_or_default(),
                        c["live"] == true,
                    )
                })
                .collect();
            assert_eq!(holders, [("alice", false), ("bob", true)]);

            // 16 reviewers race to resolve one task, half through each server.
            let (run_id, raced) = review_run(&client, &two, "refunds").await;
            let mut racers = Vec::new();
            for i in 0..16 {
                let server = if i % 2 == 0 { &one } else { &two };
                let url = server.url(&format!("/v1/reviews/{raced}/resolve"));
                let client =
                    client_with_key(&issue_key(server, "reviewer", &format!("reviewer-{i}")).await);
                racers.push(tokio::spawn(async move {
                    let body = json!({"reviewer": format!("reviewer-{i}"), "action": "approve"});
                    post(&client, &url, &body, None).await
                }));
            }
            let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
            let mut winners = Vec::new();
            for racer in racers {
                let (status, body) = racer.await.expect("racer task");
                match status {
                    200 => winners.push(body["resolution"]["decided_by"][0].clone()),
                    409 => {
                        let message = body["error"]["message"].as_str().unwrap_or_default();
                        assert!(
                            message.contains(&format!(
                                "review {raced} was already resolved by reviewer-"
                            )),
                            "a clear conflict: {body}"
                        );
                    }
                    _ => panic!("unexpected answer {status}: {body}"),
                }
                *by_status.entry(status).or_default() += 1;
            }
            assert_eq!(by_status, BTreeMap::from([(200, 1), (409, 15)]));
            for server in [&one, &two] {
                let (status, task) =
                    get(&client, &server.url(&format!("/v1/reviews/{raced}"))).await;
                assert_eq!(status, 200, "{task}");
                assert_eq!(
                    task["votes"].as_array().map(Vec::len),
                    Some(1),
                    "one vote stored: {task}"
                );
                assert_eq!(
                    task["resolution"]["decided_by"],
                    json!([winners[0].clone()])
                );
                let (_, run) = get(&client, &server.url(&format!("/v1/runs/{run_id}"))).await;
                assert_eq!(run["decided_by"], json!([winners[0].clone()]), "{run}");
            }

            // `airlock review list --server` reads the same queue.
            let out = airlock(
                &[],
                &[
                    "review", "list", "--status", "resolved", "--json", "--server", &one.base,
                ],
                &[("AIRLOCK_API_KEY", ADMIN_KEY)],
            );
            let listed: Vec<Value> = succeeded(&out)
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect();
            assert_eq!(listed.len(), 1, "{listed:?}");
            assert_eq!(listed[0]["review_id"], raced.as_str());

            for server in [one, two] {
                let (status, log) = server.terminate();
                assert!(status.success(), "graceful stop: {status}\n{log}");
            }
        },
    );
}

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    event: String,
    delivery: String,
    body: Value,
    signature_ok: bool,
}

/// A webhook receiver on `listener` that checks every signature with the
/// shared secret and answers 200.
fn start_receiver(listener: tokio::net::TcpListener) -> Arc<Mutex<Vec<Received>>> {
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let log = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                let signature_ok = airlock_webhooks::verify(
                    SECRET.as_bytes(),
                    &header(airlock_webhooks::SIGNATURE_HEADER),
                    &body,
                    now,
                    Duration::from_secs(300),
                )
                .is_ok();
                log.lock().expect("log lock").push(Received {
                    event: header(airlock_webhooks::EVENT_HEADER),
                    delivery: header(airlock_webhooks::DELIVERY_HEADER),
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                    signature_ok,
                });
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    got
}

/// The events received so far for `review_id`, one per delivery, by event.
fn events_for(got: &Arc<Mutex<Vec<Received>>>, review_id: &str) -> BTreeMap<String, Received> {
    got.lock()
        .expect("log lock")
        .iter()
        .filter(|r| r.body["data"]["review_id"] == review_id)
        .map(|r| (r.event.clone(), r.clone()))
        .collect()
}

#[test]
fn review_events_reach_the_receiver_signed() {
    run_on_each_database("review_events_reach_the_receiver_signed", |db| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let got = start_receiver(listener);
        let (_dir, flags) = setup(&db.url, Some(&url));
        let args = flag_refs(&flags);
        let server = Server::start(&args, &[]);
        let client = admin_client();
        let alice_key = issue_key(&server, "reviewer", "alice").await;

        let (run_id, review) = review_run(&client, &server, "refunds").await;
        let out = airlock(
            &[],
            &[
                "review",
                "resolve",
                &review,
                "--action",
                "reject",
                "--reason",
                "duplicate order",
                "--server",
                &server.base,
            ],
            &[
                ("AIRLOCK_REVIEWER", "alice"),
                ("AIRLOCK_API_KEY", &alice_key),
            ],
        );
        let printed = succeeded(&out);
        assert!(
            printed.contains(&format!("review {review} resolved: reject by alice")),
            "{printed}"
        );

        let events = wait_for("review.created and review.resolved", || {
            let events = events_for(&got, &review);
            async move { (events.len() == 2).then_some(events) }
        })
        .await;
        let created = &events["review.created"];
        let resolved = &events["review.resolved"];
        assert!(created.signature_ok && resolved.signature_ok, "{events:?}");
        assert_eq!(created.body["type"], "review.created");
        assert_eq!(created.body["workflow"], "refunds");
        assert_eq!(created.body["data"]["run_id"], run_id.as_str());
        assert_eq!(resolved.body["data"]["action"], "reject");
        assert_eq!(resolved.body["data"]["decided_by"], json!(["alice"]));
        assert_ne!(created.delivery, resolved.delivery);

        // The receiver answers before the dispatcher records the attempt.
        let delivered = server.url("/v1/webhooks/deliveries?status=delivered");
        wait_for("both deliveries recorded as delivered", || {
            let (client, url) = (client.clone(), delivered.clone());
            async move {
                let (status, page) = get(&client, &url).await;
                assert_eq!(status, 200, "{page}");
                (page["items"].as_array().map(Vec::len) == Some(2)).then_some(())
            }
        })
        .await;
        let (status, log) = server.terminate();
        assert!(status.success(), "graceful stop: {status}\n{log}");
    });
}

#[test]
fn a_delivery_pending_at_a_crash_is_sent_after_the_restart() {
    run_on_each_database(
        "a_delivery_pending_at_a_crash_is_sent_after_the_restart",
        |db| async move {
            // A port nothing listens on yet: the receiver is down.
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let address = listener.local_addr().expect("address");
            drop(listener);
            let url = format!("http://{address}/hook");
            let (_dir, flags) = setup(&db.url, Some(&url));
            let args = flag_refs(&flags);
            let server = Server::start(&args, &[]);
            let client = admin_client();
            let (_, review) = review_run(&client, &server, "refunds").await;
            let deliveries = server.url("/v1/webhooks/deliveries");
            let failed = wait_for("a failed attempt", || {
                let (client, deliveries) = (client.clone(), deliveries.clone());
                async move {
                    let (_, page) = get(&client, &deliveries).await;
                    let delivery = page["items"][0].clone();
                    (delivery["attempt_count"].as_u64() >= Some(1)).then_some(delivery)
                }
            })
            .await;
            assert_eq!(failed["status"], "pending", "{failed}");
            assert!(failed["last_error"].is_string(), "{failed}");
            server.kill();

            let listener = tokio::net::TcpListener::bind(address)
                .await
                .expect("rebind the port");
            let got = start_receiver(listener);
            let server = Server::start(&args, &[]);
            let received = wait_for("the delivery after the restart", || {
                let events = events_for(&got, &review);
                async move { events.get("review.created").cloned() }
            })
            .await;
            assert!(received.signature_ok, "{received:?}");
            let id = failed["delivery_id"].as_str().expect("id");
            let delivered = wait_for("the delivery to be recorded", || {
                let (client, url) = (
                    client.clone(),
                    server.url(&format!("/v1/webhooks/deliveries/{id}")),
                );
                async move {
                    let (_, delivery) = get(&client, &url).await;
                    (delivery["status"] == "delivered").then_some(delivery)
                }
            })
            .await;
            let attempts = delivered["attempts"].as_array().expect("attempts");
            assert!(
                attempts.len() >= 2,
                "failed before, delivered after: {delivered}"
            );
            assert_eq!(
                attempts.last().map(|a| a["status_code"].clone()),
                Some(json!(200))
            );
            assert_eq!(received.delivery, id);
            let (status, log) = server.terminate();
            assert!(status.success(), "graceful stop: {status}\n{log}");
        },
    );
}

#[test]
fn the_review_commands_work_the_queue_in_database_mode() {
    run_on_each_database(
        "the_review_commands_work_the_queue_in_database_mode",
        |db| async move {
            let (dir, flags) = setup(&db.url, None);
            let input = dir.path().join("refund.json");
            std::fs::write(&input, r#"{"order": "D-1", "amount": 900}"#).expect("write input");
            let input = input.to_str().expect("utf-8").to_string();
            let ran: Value = serde_json::from_str(&succeeded(&airlock(
                &flags,
                &["run", "refunds", "--input", &input],
                &[],
            )))
            .expect("JSON run");
            let review = ran["review_id"]
                .as_str()
                .expect("a review task")
                .to_string();
            let run_id = ran["run_id"].as_str().expect("run_id").to_string();

            let table = succeeded(&airlock(&flags, &["review", "list"], &[]));
            assert!(table.starts_with("REVIEW"), "{table}");
            let line = table
                .lines()
                .find(|l| l.starts_with(&review))
                .expect("the task is listed");
            assert!(
                line.contains("open") && line.contains("refunds") && line.contains("large-refund"),
                "{line}"
            );
            let lines = succeeded(&airlock(
                &flags,
                &["review", "list", "--json", "--workflow", "refunds"],
                &[],
            ));
            let items: Vec<Value> = lines
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect();
            assert_eq!(items.len(), 1);
            assert_eq!(items[0]["review_id"], review.as_str());
            let none = succeeded(&airlock(
                &flags,
                &["review", "list", "--json", "--older-than", "1h"],
                &[],
            ));
            assert!(none.is_empty(), "{none}");
            let bad = airlock(&flags, &["review", "list", "--status", "pending"], &[]);
            assert_eq!(bad.status.code(), Some(65), "{}", stderr(&bad));
            assert!(stderr(&bad).contains("pending"), "{}", stderr(&bad));

            let shown = succeeded(&airlock(&flags, &["review", "show", &review], &[]));
            assert!(shown.contains("rule      large-refund"), "{shown}");
            let input_line = shown
                .lines()
                .find_map(|l| l.trim_start().strip_prefix("input     "))
                .unwrap_or_else(|| panic!("no input line in:\n{shown}"));
            assert_eq!(
                serde_json::from_str::<Value>(input_line).expect("the input as JSON"),
                json!({"amount": 900, "order": "D-1"}),
                "{shown}"
            );
            let shown: Value = serde_json::from_str(&succeeded(&airlock(
                &flags,
                &["review", "show", &review, "--json"],
                &[],
            )))
            .expect("JSON");
            assert_eq!(shown["steps"][1]["name"], "small");

            let claimed = succeeded(&airlock(
                &flags,
                &["review", "claim", &review],
                &[("AIRLOCK_REVIEWER", "ann")],
            ));
            assert!(claimed.contains("claimed: claimed by ann"), "{claimed}");
            let wrong = dir.path().join("wrong.json");
            std::fs::write(&wrong, r#"{"approved": "no", "note": "x"}"#).expect("write");
            let out = airlock(
                &flags,
                &[
                    "review",
                    "resolve",
                    &review,
                    "--reviewer",
                    "ann",
                    "--action",
                    "override",
                    "--output",
                    wrong.to_str().expect("utf-8"),
                    "--reason",
                    "too large",
                ],
                &[],
            );
            assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
            assert!(stderr(&out).contains("output.approved"), "{}", stderr(&out));
            let resolved = succeeded(&airlock(
                &flags,
                &[
                    "review",
                    "resolve",
                    &review,
                    "--reviewer",
                    "ann",
                    "--action",
                    "override",
                    "--output",
                    r#"{"approved": false, "note": "refund half"}"#,
                    "--reason",
                    "too large",
                ],
                &[],
            ));
            assert!(resolved.contains("resolved: override by ann"), "{resolved}");
            let again = airlock(
                &flags,
                &[
                    "review",
                    "resolve",
                    &review,
                    "--reviewer",
                    "bo",
                    "--action",
                    "approve",
                ],
                &[],
            );
            assert_eq!(again.status.code(), Some(75), "{}", stderr(&again));
            assert!(
                stderr(&again).contains("already resolved by ann"),
                "{}",
                stderr(&again)
            );
            let run: Value = serde_json::from_str(&succeeded(&airlock(
                &flags,
                &["runs", "show", &run_id],
                &[],
            )))
            .expect("JSON run");
            assert_eq!(run["decided_by"], json!(["ann"]));
            assert_eq!(
                run["final_output"],
                json!({"approved": false, "note": "refund half"})
            );

            // Consensus: disagreement escalates; only the adjudicator decides.
            let ran: Value = serde_json::from_str(&succeeded(&airlock(
                &flags,
                &["run", "panel", "--input", &input],
                &[],
            )))
            .expect("JSON run");
            let panel = ran["review_id"]
                .as_str()
                .expect("a review task")
                .to_string();
            let vote = |reviewer: &str, extra: &[&str]| {
                let mut args = vec!["review", "resolve", panel.as_str(), "--reviewer", reviewer];
                args.extend_from_slice(extra);
                airlock(&flags, &args, &[])
            };
            let first = succeeded(&vote("ann", &["--action", "approve"]));
            assert!(first.contains("1 of 2 review(s) in"), "{first}");
            let second = succeeded(&vote("bo", &["--action", "reject", "--reason", "fraud"]));
            assert!(second.contains("escalated"), "{second}");
            let outsider = vote("dave", &["--action", "approve"]);
            assert_eq!(
                outsider.status.code(),
                Some(77),
                "forbidden exits 77: {}",
                stderr(&outsider)
            );
            assert!(
                stderr(&outsider).contains("adjudicator"),
                "{}",
                stderr(&outsider)
            );
            let decided: Value = serde_json::from_str(&succeeded(&vote(
                "carol",
                &["--action", "reject", "--reason", "fraud", "--json"],
            )))
            .expect("JSON");
            assert_eq!(decided["status"], "resolved");
            assert_eq!(decided["resolution"]["decided_by"], json!(["carol"]));
        },
    );
}
