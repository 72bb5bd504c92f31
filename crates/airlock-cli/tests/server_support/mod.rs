//! Shared helpers of the tests that start `airlock serve` as a real
//! process: a rule-only workflow (no models needed), starting the server on
//! a free port and reading its address from its first line, and a JSON
//! HTTP client. Every server starts with [`ADMIN_KEY`] as its bootstrap
//! admin key; [`admin_client`] sends it, [`airlock`] passes it to the
//! `--server` forms, and [`create_key`] makes keys of other roles.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

/// The bootstrap admin key every test server starts with (a fixed,
/// well-formed key: tests only).
pub const ADMIN_KEY: &str =
    "alk_testadminkey_abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwxyz";

/// An HTTP client that sends `key` as its bearer token on every request.
pub fn client_with_key(key: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&format!("Bearer {key}")).expect("ASCII key"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("HTTP client")
}

/// An HTTP client authenticated as the bootstrap admin.
pub fn admin_client() -> reqwest::Client {
    client_with_key(ADMIN_KEY)
}

/// Creates a key with `airlock keys create` in the database `flags` name
/// (the same `--data-dir` as the servers, so the same secrets) and returns it.
pub fn create_key(flags: &[&str], role: &str, name: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_airlock"))
        .args(flags)
        .args(["keys", "create", "--role", role, "--name", name])
        .env_remove("AIRLOCK_CONFIG")
        .env_remove("AIRLOCK_DATABASE_URL")
        .env_remove("AIRLOCK_WORKFLOWS_DIR")
        .output()
        .expect("run airlock keys create");
    assert!(
        out.status.success(),
        "keys create --role {role} --name {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 key")
        .trim()
        .to_string()
}

/// Creates a key through `server`'s `POST /v1/keys` as the bootstrap admin
/// and returns it.
pub async fn issue_key(server: &Server, role: &str, name: &str) -> String {
    let (status, created) = post(
        &admin_client(),
        &server.url("/v1/keys"),
        &serde_json::json!({"role": role, "name": name}),
        None,
    )
    .await;
    assert_eq!(status, 201, "POST /v1/keys {role} {name}: {created}");
    created["key"].as_str().expect("the key").to_string()
}

/// A workflow with no model step: validate, a rule, a fallback.
const WORKFLOW: &str = r#"
name = "refunds"
description = "Route refund requests by amount"
owner = "payments@example.com"
risk = "low"
data_class = "internal"
runbook = "https://example.com/runbooks/refunds"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{'approved': steps.small.value, 'note': steps.note.text}"

[[steps]]
name = "validate"
kind = "validate"

[[steps]]
name = "small"
kind = "rule"
expr = "input.amount <= 100"

[[steps]]
name = "note"
kind = "fallback"
template = "note.j2"

[[decision]]
name = "invalid"
when = "!steps.validate.valid"
decision = "block"

[[decision]]
name = "large-refund"
when = "!steps.small.value"
decision = "review"

[[decision]]
name = "default"
decision = "auto"
"#;

const INPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["order", "amount"],
  "additionalProperties": false,
  "properties": {
    "order": {"type": "string", "minLength": 1},
    "amount": {"type": "number", "minimum": 0}
  }
}"#;

const OUTPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["approved", "note"],
  "properties": {"approved": {"type": "boolean"}, "note": {"type": "string"}}
}"#;

/// Writes the `refunds` workflow into `root/refunds/` and returns `root`.
pub fn write_rule_workflow(root: &Path) -> PathBuf {
    let dir = root.join("refunds");
    std::fs::create_dir_all(&dir).expect("create workflow dir");
    for (file, text) in [
        ("workflow.toml", WORKFLOW),
        ("input.schema.json", INPUT_SCHEMA),
        ("output.schema.json", OUTPUT_SCHEMA),
        (
            "note.j2",
            "Refund of {{ input.amount }} for order {{ input.order }}",
        ),
    ] {
        std::fs::write(dir.join(file), text).expect("write workflow file");
    }
    root.to_path_buf()
}

/// A running `airlock serve`.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub stderr: Arc<Mutex<String>>,
    /// The thread copying stderr into `stderr`; it ends when the process
    /// closes its stderr (exits).
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts `airlock serve` with `args` (plus `--listen 127.0.0.1:0`) and
    /// waits for the line that names the address. Panics with everything
    /// the server printed if it exits first.
    pub fn start(args: &[&str], envs: &[(&str, &str)]) -> Server {
        Server::start_in(None, args, envs)
    }

    /// [`Server::start`] with the working directory `cwd` (default: the test's).
    pub fn start_in(cwd: Option<&Path>, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_airlock"));
        if let Some(cwd) = cwd {
            command.current_dir(cwd);
        }
        command
            .args(args)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("AIRLOCK_CONFIG")
            .env_remove("AIRLOCK_LISTEN")
            .env_remove("AIRLOCK_DATABASE_URL")
            .env_remove("AIRLOCK_WORKFLOWS_DIR")
            .env("AIRLOCK_BOOTSTRAP_KEY", ADMIN_KEY)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in envs {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start airlock serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let log_writer = Arc::clone(&log);
        let reader = std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("on http://") {
                    let address: String = line[at + 3..]
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(address);
                    }
                }
                let mut log = log_writer.lock().expect("log lock");
                log.push_str(&line);
                log.push('\n');
            }
        });
        match rx.recv() {
            Ok(base) => Server {
                child,
                base,
                stderr: log,
                reader: Some(reader),
            },
            Err(_) => {
                let status = child.wait().expect("wait");
                panic!(
                    "airlock serve exited ({status}) before listening:\n{}",
                    log.lock().expect("log lock")
                );
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        self.stderr.lock().expect("log lock").clone()
    }

    /// Sends SIGKILL: no shutdown, no flush; the crash test.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }

    /// Sends SIGTERM and waits; returns the exit status and the log.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("send SIGTERM");
        let status = self.child.wait().expect("wait");
        // Every line the process wrote before exiting, the last ones too.
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let log = self.stderr.lock().expect("log lock").clone();
        (status, log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs JSON; returns status and body.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
    key: Option<&str>,
) -> (u16, Value) {
    let mut request = client.post(url).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

pub async fn get(client: &reqwest::Client, url: &str) -> (u16, Value) {
    let response = client.get(url).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

/// The global flags pointing `airlock` at the workflows directory
/// `workflows`, the data directory `data` and the database `db_url`.
pub fn store_flags(workflows: &Path, data: &Path, db_url: &str) -> Vec<String> {
    let path = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    vec![
        "--workflows-dir".to_string(),
        path(workflows),
        "--data-dir".to_string(),
        path(data),
        "--database-url".to_string(),
        db_url.to_string(),
    ]
}

/// Runs `airlock` with `flags`, then `args`, with `envs` set and none of
/// the caller's Airlock settings (no API key unless `envs` gives one).
pub fn airlock_with(flags: &[String], args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_airlock"));
    command
        .args(flags)
        .args(args)
        .env_remove("AIRLOCK_CONFIG")
        .env_remove("AIRLOCK_DATABASE_URL")
        .env_remove("AIRLOCK_WORKFLOWS_DIR")
        .env_remove("AIRLOCK_REVIEWER")
        .env_remove("AIRLOCK_AUDIT_SIGNING_KEY");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("run airlock")
}

/// A command's stderr as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Panics with the command's stderr unless it exited 0; returns stdout.
pub fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        stderr_of(out)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Runs the `airlock` binary to completion, as the bootstrap admin for
/// the `--server` forms.
pub fn airlock(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_airlock"))
        .args(args)
        .env("AIRLOCK_API_KEY", ADMIN_KEY)
        .env_remove("AIRLOCK_CONFIG")
        .env_remove("AIRLOCK_DATABASE_URL")
        .env_remove("AIRLOCK_WORKFLOWS_DIR")
        .output()
        .expect("run airlock")
}
