//! `airlock classify eval`: scores a classifier on labelled data and prints
//! accuracy, macro-F1, calibration error, NLL, coverage and per-label scores.

use super::embedding::{embed_all, load_classifier};
use super::{print_json, ColumnArgs};
use airlock_classifier::read_examples;
use airlock_config::Settings;
use airlock_core::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Classifier made by `airlock classify train`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Labelled examples (.csv or .jsonl), as for training.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    #[command(flatten)]
    pub columns: ColumnArgs,
}

pub fn run(args: EvalArgs, settings: &Settings) -> Result<()> {
    let (classifier, embedder) = load_classifier(&args.model, settings)?;
    let examples = read_examples(&args.data, &args.columns.columns())?;
    let texts: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
    let embeddings = embed_all(&embedder, &texts)?;
    let labels: Vec<String> = examples.into_iter().map(|e| e.label).collect();
    let report = classifier.evaluate(&embeddings, &labels)?;
    print_json(&report, true)
}
