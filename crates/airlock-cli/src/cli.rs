//! Command-line grammar of `airlock`. Each command's own arguments live
//! beside its implementation in `commands/`.

use crate::commands::{
    audit, check, classify, dataset, embed, generate, guard, keys, models, review, run, runs, serve,
};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Airlock: the production layer for AI.
#[derive(Debug, Parser)]
#[command(name = "airlock", version, about)]
pub struct Cli {
    /// Configuration file (TOML). Also `AIRLOCK_CONFIG`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (database, models). Also `AIRLOCK_DATA_DIR`; default `./airlock-data`.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Model directory. Also `AIRLOCK_MODELS_DIR`; default `<data-dir>/models`.
    #[arg(long, global = true, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,
    /// Directory of workflow directories. Also `AIRLOCK_WORKFLOWS_DIR`;
    /// default `./workflows` if it exists, else `./examples`. (Not
    /// `--workflows`: that is `keys create`'s list of granted workflows.)
    #[arg(long, global = true, value_name = "DIR")]
    pub workflows_dir: Option<PathBuf>,
    /// Database URL (`sqlite://PATH` or `postgres://...`). Also
    /// `AIRLOCK_DATABASE_URL`; default `sqlite://<data-dir>/airlock.db`.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Address the server listens on. Also `AIRLOCK_LISTEN`; default `127.0.0.1:8080`.
    #[arg(long, global = true, value_name = "ADDR")]
    pub listen: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch, verify and list local model files.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Print one sentence embedding (a JSON array) per text.
    Embed(embed::EmbedArgs),
    /// Train, apply and evaluate classifiers over sentence embeddings.
    #[command(subcommand)]
    Classify(classify::ClassifyCommand),
    /// Generate a chat reply with the local model, streamed to stdout.
    Generate(generate::GenerateArgs),
    /// Validate the configuration and every workflow definition and report
    /// all problems at once.
    Check(check::CheckArgs),
    /// Serve the HTTP API (the demo, with no arguments on a fresh clone).
    Serve(serve::ServeArgs),
    /// Run one input through a workflow (in-process, or on a server).
    Run(run::RunArgs),
    /// List and show recorded runs.
    #[command(subcommand)]
    Runs(runs::RunsCommand),
    /// Work the human review queue: list, show, claim, release, resolve.
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// Export what people labelled (reviews, feedback) as training data.
    #[command(subcommand)]
    Dataset(dataset::DatasetCommand),
    /// Create, list and revoke API keys (in the configured database).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Verify, read and checkpoint the tamper-evident audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Score texts for prompt injection and evaluate the guard on labelled data.
    #[command(subcommand)]
    Guard(guard::GuardCommand),
}
