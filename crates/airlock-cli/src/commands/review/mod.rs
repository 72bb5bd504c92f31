//! `airlock review list|show|claim|release|resolve`: work the human review
//! queue from the configured database or, with `--server URL`, through a
//! running server's API. Both modes print the same views: a table or text
//! by default, JSON (one object per line) with `--json`. Errors exit by
//! kind: a task resolved or claimed by someone else is `conflict` (75), an
//! escalated task without the adjudicator role `forbidden` (77).

mod backend;
mod output_value;
mod print;

use airlock_config::Settings;
use airlock_core::{Result, ReviewAction};
use airlock_engine::ResolveRequest;

use super::runtime::{load_workflows, tokio_runtime};
use backend::Backend;

#[derive(Debug, clap::Subcommand)]
pub enum ReviewCommand {
    /// List review tasks, oldest due first.
    List(ListArgs),
    /// Show one task with the run's input, every step's output and the suggestion.
    Show(ShowArgs),
    /// Claim a task for the workflow's lease (again to renew it).
    Claim(ClaimArgs),
    /// Give up your claim on a task.
    Release(ClaimArgs),
    /// Decide a task: approve the suggestion, override it, or reject the run.
    Resolve(ResolveArgs),
}

/// Where to work and how to print.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// Use this server (e.g. http://127.0.0.1:8080) instead of the database.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Print JSON, one object per line, instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long)]
    pub workflow: Option<String>,
    /// open, claimed, escalated or resolved (as of now).
    #[arg(long)]
    pub status: Option<String>,
    /// Only unresolved tasks past their due time.
    #[arg(long)]
    pub overdue: bool,
    /// Only tasks whose suggested label is this.
    #[arg(long)]
    pub label: Option<String>,
    /// Only tasks at least this old, e.g. 30m, 2h, 1day.
    #[arg(long, value_name = "DURATION")]
    pub older_than: Option<String>,
    /// Page size (default 50).
    #[arg(long)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[arg(long)]
    pub cursor: Option<String>,
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The review id.
    pub id: String,
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, clap::Args)]
pub struct ClaimArgs {
    /// The review id.
    pub id: String,
    /// Who you are (until API keys exist).
    #[arg(long, env = "AIRLOCK_REVIEWER", value_name = "NAME")]
    pub reviewer: String,
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// The review id.
    pub id: String,
    /// Who you are (until API keys exist).
    #[arg(long, env = "AIRLOCK_REVIEWER", value_name = "NAME")]
    pub reviewer: String,
    /// approve (the suggestion stands), override (with --output and
    /// --reason) or reject (with --reason).
    #[arg(long, value_parser = ["approve", "override", "reject"])]
    pub action: String,
    /// The corrected output (override): a JSON file, `-` for standard
    /// input, or the JSON itself.
    #[arg(long, value_name = "FILE|-|JSON")]
    pub output: Option<String>,
    /// The true label (default: the override output's label field, or the
    /// suggestion's label on approve).
    #[arg(long)]
    pub label: Option<String>,
    /// Why (required for override and reject).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub target: Target,
}

pub fn run(cmd: ReviewCommand, settings: &Settings) -> Result<()> {
    // Workflows are read (and their problems reported) before connecting.
    let workflows = match &cmd {
        ReviewCommand::Claim(ClaimArgs { target, .. })
        | ReviewCommand::Release(ClaimArgs { target, .. })
        | ReviewCommand::Resolve(ResolveArgs { target, .. })
            if target.server.is_none() =>
        {
            // Claims and resolutions need the workflows (leases, output
            // contracts); listing and reading do not, nor does a server.
            load_workflows(settings)?
        }
        _ => Vec::new(),
    };
    tokio_runtime()?.block_on(run_command(cmd, settings, workflows))
}

async fn run_command(
    cmd: ReviewCommand,
    settings: &Settings,
    workflows: Vec<airlock_workflow::WorkflowDefinition>,
) -> Result<()> {
    match cmd {
        ReviewCommand::List(args) => {
            let pairs = list_query(&args);
            let backend = Backend::open(&args.target, settings, workflows).await?;
            let page = backend.list(pairs).await;
            backend.close().await;
            let page = page?;
            if args.target.json {
                print::json_lines(&page)
            } else {
                print::review_table(&page);
                Ok(())
            }
        }
        ReviewCommand::Show(args) => {
            let backend = Backend::open(&args.target, settings, workflows).await?;
            let review = backend.show(&args.id).await;
            backend.close().await;
            let review = review?;
            if args.target.json {
                print::json_line(&review)
            } else {
                print::review_detail(&review);
                Ok(())
            }
        }
        ReviewCommand::Claim(args) => {
            let backend = Backend::open(&args.target, settings, workflows).await?;
            let task = backend.claim(&args.id, &args.reviewer).await;
            backend.close().await;
            print::after_change(&task?, args.target.json, "claimed")
        }
        ReviewCommand::Release(args) => {
            let backend = Backend::open(&args.target, settings, workflows).await?;
            let task = backend.release(&args.id, &args.reviewer).await;
            backend.close().await;
            print::after_change(&task?, args.target.json, "released")
        }
        ReviewCommand::Resolve(args) => {
            let request = resolve_request(&args)?;
            let backend = Backend::open(&args.target, settings, workflows).await?;
            let task = backend.resolve(&args.id, request).await;
            backend.close().await;
            print::after_change(&task?, args.target.json, "voted on")
        }
    }
}

/// The `GET /v1/reviews` parameters for `args` (also parsed in database mode).
fn list_query(args: &ListArgs) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            pairs.push((name.to_string(), value));
        }
    };
    add("workflow", args.workflow.clone());
    add("status", args.status.clone());
    add("overdue", args.overdue.then(|| "true".to_string()));
    add("label", args.label.clone());
    add("older_than", args.older_than.clone());
    add("limit", args.limit.map(|l| l.to_string()));
    add("cursor", args.cursor.clone());
    pairs
}

/// The reviewer's decision given by `args`.
fn resolve_request(args: &ResolveArgs) -> Result<ResolveRequest> {
    Ok(ResolveRequest {
        reviewer: args.reviewer.clone(),
        action: args.action.parse::<ReviewAction>()?,
        output: args.output.as_deref().map(output_value::read).transpose()?,
        label: args.label.clone(),
        reason: args.reason.clone(),
    })
}
