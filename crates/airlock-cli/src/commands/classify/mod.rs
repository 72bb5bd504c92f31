//! `airlock classify train|predict|eval`: classifiers over sentence
//! embeddings. The classifier itself lives in `airlock-classifier`; these
//! commands read data, embed it with the configured embedding model and
//! print results.

mod compare;
pub mod data_files;
pub mod embedding;
mod eval;
mod predict;
pub mod train;

use airlock_config::Settings;
use airlock_core::Result;

#[derive(Debug, clap::Subcommand)]
pub enum ClassifyCommand {
    /// Train a calibrated classifier from labelled examples (CSV or JSONL).
    Train(train::TrainArgs),
    /// Print the label, calibrated confidence and alternatives of each text (JSON lines).
    Predict(predict::PredictArgs),
    /// Evaluate a classifier on labelled data and print JSON metrics.
    Eval(eval::EvalArgs),
    /// Evaluate two classifiers on one held-out set and print them side by side.
    Compare(compare::CompareArgs),
}

pub fn run(cmd: ClassifyCommand, settings: &Settings) -> Result<()> {
    match cmd {
        ClassifyCommand::Train(args) => train::run(args, settings),
        ClassifyCommand::Predict(args) => predict::run(args, settings),
        ClassifyCommand::Eval(args) => eval::run(args, settings),
        ClassifyCommand::Compare(args) => compare::run(args, settings),
    }
}

/// `--text-column` / `--label-column`, shared by `train` and `eval`.
#[derive(Debug, Clone, clap::Args)]
pub struct ColumnArgs {
    /// CSV column (or JSONL key) holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_column: String,
    /// CSV column (or JSONL key) holding the label (BANKING77: `category`).
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_column: String,
}

impl ColumnArgs {
    fn columns(&self) -> airlock_classifier::Columns {
        airlock_classifier::Columns {
            text: self.text_column.clone(),
            label: self.label_column.clone(),
        }
    }
}

/// Writes one line of JSON to stdout.
fn print_json(value: &impl serde::Serialize, pretty: bool) -> Result<()> {
    use std::io::Write;
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| airlock_core::Error::internal(format!("cannot encode JSON: {e}")))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{text}").map_err(|e| {
        airlock_core::Error::new(
            airlock_core::ErrorKind::Io,
            format!("cannot write to stdout: {e}"),
        )
    })
}
