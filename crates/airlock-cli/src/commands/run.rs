//! `airlock run WORKFLOW --input FILE`: runs one input through a workflow,
//! in-process (same store, models and setup as `airlock serve`) or, with
//! `--server URL`, through a running server. Prints the run as the API
//! shows it; an input that fails the contract exits 65 after naming the
//! field (the run is recorded and the input quarantined either way).

use super::client::ApiClient;
use super::runtime::{build_engine, load_workflows, tokio_runtime};
use airlock_config::Settings;
use airlock_core::{Error, Result};
use airlock_engine::{unknown_workflow, RunRequest};
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The workflow to run.
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// JSON file holding the input; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Send the run to this server (e.g. http://127.0.0.1:8080) instead of
    /// running it in-process.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Same key, same run: a retry never runs twice.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

pub fn run(args: RunArgs, settings: &Settings) -> Result<()> {
    let input = read_input(&args.input)?;
    let runtime = tokio_runtime()?;
    let answer = match &args.server {
        Some(url) => runtime.block_on(remote(url, &args, &input))?,
        None => {
            let workflows = load_workflows(settings)?;
            runtime.block_on(local(settings, workflows, &args, input))?
        }
    };
    super::print_json_pretty(&answer)
}

async fn local(
    settings: &Settings,
    workflows: Vec<airlock_workflow::WorkflowDefinition>,
    args: &RunArgs,
    input: Value,
) -> Result<Value> {
    // Fail on an unknown workflow before loading any model.
    if !workflows.iter().any(|w| w.name == args.workflow) {
        return Err(unknown_workflow(
            &args.workflow,
            workflows.iter().map(|w| &w.name),
        ));
    }
    let engine = build_engine(settings, workflows).await?;
    let result = engine
        .run(RunRequest {
            workflow: args.workflow.clone(),
            input,
            idempotency_key: args.idempotency_key.clone(),
            key_id: None,
        })
        .await;
    engine.store().close().await;
    let outcome = result?;
    if let Some(error) = outcome.input_error() {
        eprintln!("run {} recorded; the input was quarantined", outcome.run.id);
        return Err(error);
    }
    serde_json::to_value(airlock_server::RunDetailView::new(
        outcome.run,
        outcome.replayed,
    ))
    .map_err(|e| Error::internal(format!("cannot encode the run: {e}")))
}

async fn remote(url: &str, args: &RunArgs, input: &Value) -> Result<Value> {
    let client = ApiClient::new(url)?;
    let mut headers = Vec::new();
    if let Some(key) = &args.idempotency_key {
        headers.push(("Idempotency-Key", key.as_str()));
    }
    client
        .post(
            &format!("/v1/workflows/{}/runs", urlencode(&args.workflow)),
            input,
            &headers,
        )
        .await
}

fn read_input(path: &PathBuf) -> Result<Value> {
    let (text, origin) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io(path, "read the input from stdin", e))?;
        (text, "stdin".to_string())
    } else {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io(path, "read the input", e))?;
        (text, path.display().to_string())
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::invalid_input(format!("{origin} is not valid JSON: {e}"))
            .with_field("input")
            .with_hint("the input is one JSON value, e.g. {\"message\": \"...\"}")
    })
}

/// Percent-encodes a path segment (workflow names are `[a-z0-9-]`, but a
/// typo must not change the path).
pub fn urlencode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
