//! `airlock guard eval|check`: the prompt-injection guard offline. The
//! heuristics and the combination rule live in `airlock-policy`
//! (`injection`); the learned detector is an `injection` / `benign`
//! classifier made by `airlock classify train`. These commands load both,
//! score texts and print the breakdown or the evaluation metrics.

mod check;
mod detector;
mod eval;
mod labelled_data;
mod metrics;

use airlock_config::Settings;
use airlock_core::Result;
use airlock_policy::injection::DEFAULT_THRESHOLD;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum GuardCommand {
    /// Score labelled prompts and print detection rate, false-positive
    /// rate, precision and F1 (heuristics, model, combined) with a
    /// threshold sweep.
    Eval(eval::EvalArgs),
    /// Print the score breakdown of each text (one JSON line per text).
    Check(check::CheckArgs),
}

/// `--model` and `--threshold`, shared by `eval` and `check`.
#[derive(Debug, Clone, clap::Args)]
pub struct DetectorArgs {
    /// Injection classifier made by `airlock classify train` (labels
    /// `injection` and `benign`). Without it only the heuristics run.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Score at or above which a text is flagged.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_name = "T")]
    pub threshold: f64,
}

pub fn run(cmd: GuardCommand, settings: &Settings) -> Result<()> {
    match cmd {
        GuardCommand::Eval(args) => eval::run(args, settings),
        GuardCommand::Check(args) => check::run(args, settings),
    }
}
