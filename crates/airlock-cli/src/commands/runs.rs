//! `airlock runs list|show`: read recorded runs, from the configured
//! database or, with `--server URL`, from a running server's API.

use super::client::ApiClient;
use super::run::urlencode;
use super::runtime::{connect_store, tokio_runtime};
use airlock_config::Settings;
use airlock_core::{Decision, Error, Result, ReviewTask, RunId, RunRecord, Timestamp};
use airlock_store::{ReviewStore, RunFilter, RunStore, Store};
use serde_json::Value;

#[derive(Debug, clap::Subcommand)]
pub enum RunsCommand {
    /// List runs, newest first, one page at a time.
    List(ListArgs),
    /// Show one run with every step, its review, the final output and who decided it.
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long)]
    pub workflow: Option<String>,
    /// auto, review, fallback or block.
    #[arg(long)]
    pub decision: Option<String>,
    /// Only runs at or after this RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Page size (default 50).
    #[arg(long)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[arg(long)]
    pub cursor: Option<String>,
    /// Print the page as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Read from this server instead of the database.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The run id.
    pub id: String,
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
}

pub fn run(cmd: RunsCommand, settings: &Settings) -> Result<()> {
    let runtime = tokio_runtime()?;
    match cmd {
        RunsCommand::List(args) => {
            let page = runtime.block_on(list(args.server.as_deref(), &args, settings))?;
            if args.json {
                super::print_json_pretty(&page)
            } else {
                print_table(&page);
                Ok(())
            }
        }
        RunsCommand::Show(args) => {
            let run = runtime.block_on(show(&args, settings))?;
            super::print_json_pretty(&run)
        }
    }
}

async fn list(server: Option<&str>, args: &ListArgs, settings: &Settings) -> Result<Value> {
    if let Some(url) = server {
        let mut query = Vec::new();
        let mut add = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                query.push(format!("{name}={}", urlencode(&v)));
            }
        };
        add("workflow", args.workflow.clone());
        add("decision", args.decision.clone());
        add("since", args.since.clone());
        add("limit", args.limit.map(|l| l.to_string()));
        add("cursor", args.cursor.clone());
        let suffix = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        return ApiClient::new(url)?.get(&format!("/v1/runs{suffix}")).await;
    }
    let filter = RunFilter {
        workflows: None,
        workflow: args.workflow.clone(),
        decision: args
            .decision
            .as_deref()
            .map(str::parse::<Decision>)
            .transpose()?,
        since: args
            .since
            .as_deref()
            .map(Timestamp::parse_rfc3339)
            .transpose()
            .map_err(|e| e.with_field("since"))?,
        limit: args.limit,
        cursor: args.cursor.clone(),
    };
    let store = connect_store(settings).await?;
    let page = store.list(&filter).await;
    store.close().await;
    serde_json::to_value(airlock_server::RunPage::from(page?))
        .map_err(|e| Error::internal(format!("cannot encode the runs: {e}")))
}

async fn show(args: &ShowArgs, settings: &Settings) -> Result<Value> {
    if let Some(url) = &args.server {
        return ApiClient::new(url)?
            .get(&format!("/v1/runs/{}", urlencode(&args.id)))
            .await;
    }
    let id: RunId = args.id.parse()?;
    let store = connect_store(settings).await?;
    let found = run_with_review(&store, id).await;
    store.close().await;
    let (run, review) = found?;
    serde_json::to_value(airlock_server::StoredRunView::new(
        run,
        review,
        Timestamp::now(),
    ))
    .map_err(|e| Error::internal(format!("cannot encode the run: {e}")))
}

/// The run with `id` and its review task, if it went to review.
async fn run_with_review(store: &Store, id: RunId) -> Result<(RunRecord, Option<ReviewTask>)> {
    let run = store
        .get(id)
        .await?
        .ok_or_else(|| Error::not_found(format!("no run with id {id}")).with_field("id"))?;
    let review = match run.review_id {
        Some(review_id) => store.get_review(review_id).await?,
        None => None,
    };
    Ok((run, review))
}

/// One line per run: id, time, workflow, decision, rule, confidence, status.
fn print_table(page: &Value) {
    println!(
        "{:<26}  {:<24}  {:<20}  {:<8}  {:<20}  {:>5}  STATUS",
        "RUN", "CREATED", "WORKFLOW", "DECISION", "RULE", "CONF"
    );
    for run in page["items"].as_array().into_iter().flatten() {
        let text = |key: &str| run[key].as_str().unwrap_or("-").to_string();
        let confidence = run["confidence"]
            .as_f64()
            .map(|c| format!("{c:.2}"))
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<26}  {:<24}  {:<20}  {:<8}  {:<20}  {:>5}  {}",
            text("run_id"),
            text("created_at"),
            text("workflow"),
            text("decision"),
            text("rule"),
            confidence,
            text("status")
        );
    }
    if let Some(cursor) = page["next_cursor"].as_str() {
        println!("(more: --cursor {cursor})");
    }
}
