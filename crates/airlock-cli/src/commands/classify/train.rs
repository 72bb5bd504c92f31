//! `airlock classify train`: reads labelled data, embeds it, trains a
//! calibrated classifier and saves the artifact.

use super::embedding::{embed_all, load_embedder, model_id};
use super::{print_json, ColumnArgs};
use airlock_classifier::train::{
    DEFAULT_CALIBRATION_FRACTION, DEFAULT_L2, DEFAULT_MAX_ITERATIONS, DEFAULT_STANDARDIZE,
};
use airlock_classifier::{
    check_trainable, read_examples, sha256_file, train_classifier, ClassifierArtifact, Columns,
    EmbeddingModelInfo, TrainingDataInfo, TrainingMetrics, TrainingOptions,
};
use airlock_config::Settings;
use airlock_core::Result;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Labelled examples: .csv with a header, or .jsonl with one {"text", "label"} object per line.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Where to write the classifier (JSON).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Share of each label's examples held out to calibrate confidence.
    #[arg(long, default_value_t = DEFAULT_CALIBRATION_FRACTION)]
    pub calibration_fraction: f64,
    /// Seed of the stratified hold-out split.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// L2 regularisation strength.
    #[arg(long, default_value_t = DEFAULT_L2)]
    pub l2: f64,
    /// Maximum optimiser iterations (each a full pass over the training data).
    #[arg(long, default_value_t = DEFAULT_MAX_ITERATIONS)]
    pub epochs: u64,
    /// Standardise embedding dimensions while fitting (`--standardize false` to fit raw embeddings).
    #[arg(long, default_value_t = DEFAULT_STANDARDIZE, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub standardize: bool,
}

pub fn run(args: TrainArgs, settings: &Settings) -> Result<()> {
    let options = TrainingOptions {
        calibration_fraction: args.calibration_fraction,
        seed: args.seed,
        l2: args.l2,
        max_iterations: args.epochs,
        standardize: args.standardize,
    };
    let (artifact, metrics) = train_and_save(
        &args.data,
        &args.out,
        &args.columns.columns(),
        options,
        settings,
    )?;
    print_json(
        &serde_json::json!({
            "model": args.out.display().to_string(),
            "labels": artifact.labels.len(),
            "examples": artifact.training_data.examples,
            "temperature": artifact.calibration.temperature,
            "training_metrics": metrics,
            "content_hash": artifact.content_hash,
        }),
        true,
    )
}

/// Reads `data`, embeds it with the configured model, trains a calibrated
/// classifier and saves it to `out`, reporting progress on stderr.
pub fn train_and_save(
    data: &Path,
    out: &Path,
    columns: &Columns,
    options: TrainingOptions,
    settings: &Settings,
) -> Result<(ClassifierArtifact, TrainingMetrics)> {
    options.validate()?;
    let origin = data.display().to_string();
    let examples = read_examples(data, columns)?;
    let labels = check_trainable(&examples, &origin)?;
    eprintln!(
        "read {} examples of {} labels from {origin}",
        examples.len(),
        labels.len()
    );
    let data_sha256 = sha256_file(data)?;
    let embedder = load_embedder(settings)?;
    let texts: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
    let embeddings = embed_all(&embedder, &texts)?;
    let example_labels: Vec<String> = examples.into_iter().map(|e| e.label).collect();
    let trained = train_classifier(&embeddings, &example_labels, &options)?;
    let metrics = trained.metrics.clone();
    let temperature = trained.temperature;
    let artifact = ClassifierArtifact::new(
        trained,
        EmbeddingModelInfo {
            id: model_id(settings),
            sha256: embedder.model_sha256().to_string(),
            dimension: embedder.dimension(),
        },
        TrainingDataInfo {
            file: origin,
            sha256: data_sha256,
            examples: embeddings.len(),
        },
        options,
    )?;
    artifact.save(out)?;
    eprintln!(
        "trained in {:.1} s; calibration temperature {temperature:.3}; saved {}",
        metrics.training_seconds,
        out.display()
    );
    Ok((artifact, metrics))
}
