//! Command-line grammar of `airlock`. Each command's own arguments live
//! beside its implementation in `commands/`.

use crate::commands::{check, classify, embed, generate, models};
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
    /// Validate every workflow definition and report all problems at once.
    Check(check::CheckArgs),
}
