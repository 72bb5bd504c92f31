//! `airlock serve`, `airlock run` and `airlock runs` as real processes on
//! both databases: runs over HTTP, idempotent retries, a graceful stop, a
//! restart that finds every run, and SIGKILL under load losing no run that
//! was acknowledged.

mod server_support;

use airlock_testkit::run_on_each_database;
use serde_json::{json, Value};
use server_support::{admin_client, airlock, get, post, store_flags, write_rule_workflow, Server};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// A temporary directory with the `refunds` workflow and a data directory,
/// and the global flags pointing `airlock` at them and at `db_url`.
fn setup(db_url: &str) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflows = write_rule_workflow(&dir.path().join("workflows"));
    let args = store_flags(&workflows, &dir.path().join("data"), db_url);
    (dir, args)
}

#[test]
fn serve_runs_workflows_over_http_and_stops_gracefully() {
    run_on_each_database(
        "serve_runs_workflows_over_http_and_stops_gracefully",
        |db| async move {
            let (dir, flags) = setup(&db.url);
            let args: Vec<&str> = flags.iter().map(String::as_str).collect();
            let server = Server::start(&args, &[]);
            let client = admin_client();
            let runs = server.url("/v1/workflows/refunds/runs");

            let (status, small) = post(
                &client,
                &runs,
                &json!({"order": "A1", "amount": 20}),
                Some("key-1"),
            )
            .await;
            assert_eq!(status, 200, "{small}");
            assert_eq!(small["decision"], "auto");
            assert_eq!(
                small["output"],
                json!({"approved": true, "note": "Refund of 20 for order A1"})
            );
            let (status, large) =
                post(&client, &runs, &json!({"order": "A2", "amount": 500}), None).await;
            assert_eq!(status, 200);
            assert_eq!(large["decision"], "review");
            assert_eq!(large["rule"], "large-refund");

            let (status, retry) = post(
                &client,
                &runs,
                &json!({"order": "A1", "amount": 20}),
                Some("key-1"),
            )
            .await;
            assert_eq!(status, 200);
            assert_eq!(retry["run_id"], small["run_id"]);
            assert_eq!(retry["replayed"], true);

            let (status, bad) =
                post(&client, &runs, &json!({"order": "A3", "amount": -1}), None).await;
            assert_eq!(status, 400, "{bad}");
            assert_eq!(bad["error"]["code"], "invalid_input");
            assert_eq!(bad["error"]["field"], "/amount");

            let (status, ready) = get(&client, &server.url("/readyz")).await;
            assert_eq!(status, 200, "{ready}");

            // The CLI's --server forms speak the same API.
            let input = dir.path().join("remote.json");
            std::fs::write(&input, r#"{"order": "R1", "amount": 3}"#).expect("write input");
            let input = input.to_str().expect("utf-8").to_string();
            let out = airlock(&[
                "run",
                "refunds",
                "--input",
                &input,
                "--server",
                &server.base,
                "--idempotency-key",
                "cli-1",
            ]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let remote: Value = serde_json::from_slice(&out.stdout).expect("JSON run");
            assert_eq!(remote["decision"], "auto", "{remote}");
            let id = remote["run_id"].as_str().expect("id");
            let out = airlock(&["runs", "show", id, "--server", &server.base]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let out = airlock(&[
                "runs",
                "list",
                "--decision",
                "sometimes",
                "--server",
                &server.base,
            ]);
            assert_eq!(
                out.status.code(),
                Some(65),
                "a bad filter is the server's invalid_input"
            );
            assert!(String::from_utf8_lossy(&out.stderr).contains("decision"));
            let out = airlock(&["run", "nope", "--input", &input, "--server", &server.base]);
            assert_eq!(out.status.code(), Some(66), "unknown workflow is not_found");

            let (status, log) = server.terminate();
            assert!(status.success(), "graceful stop exits 0: {status}\n{log}");
            assert!(log.contains("stopped"), "{log}");

            // The CLI reads the same database after the server stopped.
            let out = airlock(&[&args[..], &["runs", "list", "--json"]].concat());
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let page: Value = serde_json::from_slice(&out.stdout).expect("JSON page");
            let ids: Vec<&str> = page["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|r| r["run_id"].as_str())
                .collect();
            assert_eq!(
                ids.len(),
                4,
                "two runs, the blocked one and the CLI's: {page}"
            );
            assert!(ids.contains(&small["run_id"].as_str().expect("id")));
            let run_id = small["run_id"].as_str().expect("id");
            let out = airlock(&[&args[..], &["runs", "show", run_id]].concat());
            let shown: Value = serde_json::from_slice(&out.stdout).expect("JSON run");
            assert_eq!(shown["input"], json!({"order": "A1", "amount": 20}));
            assert_eq!(shown["idempotency_key"], "key-1");

            // And `airlock run` in-process appends to it.
            let input = dir.path().join("input.json");
            std::fs::write(&input, r#"{"order": "B1", "amount": 7}"#).expect("write input");
            let out = airlock(
                &[
                    &args[..],
                    &["run", "refunds", "--input", input.to_str().expect("utf-8")],
                ]
                .concat(),
            );
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let ran: Value = serde_json::from_slice(&out.stdout).expect("JSON run");
            assert_eq!(ran["decision"], "auto");
            std::fs::write(&input, r#"{"order": "B2"}"#).expect("write input");
            let out = airlock(
                &[
                    &args[..],
                    &["run", "refunds", "--input", input.to_str().expect("utf-8")],
                ]
                .concat(),
            );
            assert_eq!(out.status.code(), Some(65), "a contract violation exits 65");
            assert!(String::from_utf8_lossy(&out.stderr).contains("amount"));
        },
    );
}

#[test]
fn a_killed_server_loses_no_acknowledged_run() {
    run_on_each_database(
        "a_killed_server_loses_no_acknowledged_run",
        |db| async move {
            let (_dir, flags) = setup(&db.url);
            let args: Vec<&str> = flags.iter().map(String::as_str).collect();
            let server = Server::start(&args, &[]);
            let runs = server.url("/v1/workflows/refunds/runs");
            let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();

            // 16 clients post as fast as they can; every 200 is recorded.
            let client = admin_client();
            let mut clients = Vec::new();
            for worker in 0..16 {
                let (client, runs, acknowledged) =
                    (client.clone(), runs.clone(), acknowledged.clone());
                clients.push(tokio::spawn(async move {
                    for i in 0.. {
                        let body = json!({"order": format!("W{worker}-{i}"), "amount": i % 200});
                        let Ok(response) = client.post(&runs).json(&body).send().await else {
                            break;
                        };
                        if response.status() != 200 {
                            break;
                        }
                        let Ok(run) = response.json::<Value>().await else {
                            break;
                        };
                        let id = run["run_id"].as_str().expect("run_id").to_string();
                        acknowledged.lock().expect("lock").push(id);
                    }
                }));
            }
            // Kill once a few hundred runs were acknowledged, mid-stream
            // (a client that stopped early, e.g. on an error, ends the wait).
            let started = std::time::Instant::now();
            while acknowledged.lock().expect("lock").len() < 300 {
                assert!(
                    clients.iter().all(|c| !c.is_finished())
                        && started.elapsed() < std::time::Duration::from_secs(60),
                    "the clients stopped before 300 runs were acknowledged: {} were",
                    acknowledged.lock().expect("lock").len()
                );
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            server.kill();
            for c in clients {
                c.await.expect("client task");
            }
            let acknowledged: Vec<String> = acknowledged.lock().expect("lock").clone();

            let server = Server::start(&args, &[]);
            let client = admin_client();
            let mut stored = HashSet::new();
            let mut cursor: Option<String> = None;
            loop {
                let url = match &cursor {
                    Some(c) => server.url(&format!("/v1/runs?limit=500&cursor={c}")),
                    None => server.url("/v1/runs?limit=500"),
                };
                let (status, page) = get(&client, &url).await;
                assert_eq!(status, 200, "{page}");
                for run in page["items"].as_array().expect("items") {
                    stored.insert(run["run_id"].as_str().expect("id").to_string());
                }
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_string()),
                    None => break,
                }
            }
            let lost: Vec<&String> = acknowledged
                .iter()
                .filter(|id| !stored.contains(*id))
                .collect();
            assert!(
                lost.is_empty(),
                "{} of {} acknowledged runs lost: {lost:?}",
                lost.len(),
                acknowledged.len()
            );
            assert!(stored.len() >= acknowledged.len());
            eprintln!(
                "{}: {} runs acknowledged before SIGKILL, {} stored after restart, none lost",
                db.backend.as_str(),
                acknowledged.len(),
                stored.len()
            );
        },
    );
}

#[test]
fn serve_refuses_to_start_on_invalid_workflows_with_the_check_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = write_rule_workflow(&dir.path().join("workflows"));
    let toml = root.join("refunds/workflow.toml");
    let text = std::fs::read_to_string(&toml).expect("read");
    std::fs::write(
        &toml,
        text.replace("input.amount <= 100", "input.amount <=")
            .replace("risk = \"low\"", "risk = \"tiny\""),
    )
    .expect("write");
    let data = dir.path().join("data");
    let out = airlock(&[
        "--workflows-dir",
        root.to_str().expect("utf-8"),
        "--data-dir",
        data.to_str().expect("utf-8"),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(out.status.code(), Some(78), "EX_CONFIG");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("workflow.toml:")
            && stderr.contains("tiny")
            && stderr.contains("CEL syntax error"),
        "{stderr}"
    );

    let check = airlock(&["check", root.to_str().expect("utf-8")]);
    assert_eq!(check.status.code(), Some(78));
    let check_stderr = String::from_utf8_lossy(&check.stderr);
    for line in stderr.lines().filter(|l| l.contains("workflow.toml:")) {
        assert!(
            check_stderr.contains(line),
            "check reports the same: {line}"
        );
    }
}

#[test]
fn check_reports_config_and_workflow_problems_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = write_rule_workflow(&dir.path().join("workflows"));
    let toml = root.join("refunds/workflow.toml");
    let text = std::fs::read_to_string(&toml).expect("read");
    std::fs::write(&toml, text.replace("risk = \"low\"", "risk = \"tiny\"")).expect("write");
    let config = dir.path().join("airlock.toml");
    std::fs::write(
        &config,
        "[server]\nlisten = \"nowhere\"\nmax_body_bytes = 0\n",
    )
    .expect("write config");
    let out = airlock(&[
        "--config",
        config.to_str().expect("utf-8"),
        "check",
        root.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("server.listen") && stderr.contains("server.max_body_bytes"),
        "{stderr}"
    );
    assert!(stderr.contains("tiny"), "{stderr}");
}

#[test]
fn an_empty_workflows_directory_serves_model_routes_only_and_is_a_problem_without_them() {
    run_on_each_database(
        "an_empty_workflows_directory_serves_model_routes_only_and_is_a_problem_without_them",
        |db| async move {
            let dir = tempfile::tempdir().expect("tempdir");
            let workflows = dir.path().join("workflows");
            std::fs::create_dir_all(&workflows).expect("create the workflows dir");
            let flags = store_flags(&workflows, &dir.path().join("data"), &db.url);
            let args = |rest: &[&str]| -> Vec<String> {
                let mut all = flags.clone();
                all.extend(rest.iter().map(|s| s.to_string()));
                all
            };

            // Without model routes an empty directory is still a mistake.
            let refused = airlock(&as_strs(&args(&["serve", "--listen", "127.0.0.1:0"])));
            assert_eq!(refused.status.code(), Some(78), "EX_CONFIG");
            let stderr = String::from_utf8_lossy(&refused.stderr);
            assert!(stderr.contains("no workflows found"), "{stderr}");

            // With a route it is a gateway-only server.
            let mock = airlock_mock_provider::MockProvider::builder()
                .api_key("sk-upstream")
                .start()
                .await;
            let config = dir.path().join("airlock.toml");
            std::fs::write(
                &config,
                format!(
                    "[[providers]]\nname = \"mock\"\nkind = \"openai\"\nbase_url = \"{}\"\n\
                     api_key_env = \"MOCK_API_KEY\"\ndata_classes = [\"internal\"]\n\
                     [[routes]]\nname = \"chat\"\ntargets = [{{ provider = \"mock\", model = \"gpt-4o-mini\" }}]\n",
                    mock.openai_base_url()
                ),
            )
            .expect("write the config");
            let mut with_config = vec!["--config".to_string(), config.display().to_string()];
            with_config.extend(flags.iter().cloned());
            let check = server_support::airlock_with(
                &with_config,
                &["check"],
                &[("MOCK_API_KEY", "sk-upstream")],
            );
            let stdout = server_support::succeeded(&check);
            assert!(
                stdout.contains("ok: no workflows in") && stdout.contains("model routes only: 1"),
                "{stdout}"
            );
            let server = Server::start(&as_strs(&with_config), &[("MOCK_API_KEY", "sk-upstream")]);
            let key = server_support::issue_key(&server, "app", "gateway-app").await;
            let app = server_support::client_with_key(&key);
            let (status, answer) = post(
                &app,
                &server.url("/v1/chat/completions"),
                &json!({"model": "chat", "messages": [{"role": "user", "content": "hi"}]}),
                None,
            )
            .await;
            assert_eq!(status, 200, "{answer:#}\n{}", server.log());
            assert_eq!(answer["object"], "chat.completion");
            let (status, listed) = get(&admin_client(), &server.url("/v1/workflows")).await;
            assert_eq!(status, 200, "{listed:#}");
            assert_eq!(listed["items"], json!([]), "{listed:#}");
            assert!(
                server
                    .log()
                    .contains("no workflows, model routes only (chat)"),
                "{}",
                server.log()
            );
            let (status, _) = server.terminate();
            assert!(status.success());
        },
    );
}

fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}
