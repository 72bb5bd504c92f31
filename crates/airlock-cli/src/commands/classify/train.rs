//! `airlock classify train`: reads labelled data (one file or several
//! merged, e.g. a review export plus the original training set), embeds
//! it, trains a calibrated classifier and saves the artifact; with
//! `--compare PREVIOUS --holdout FILE` it then evaluates the new and the
//! previous classifier on the held-out file side by side.

use super::compare::{compare_on_holdout, print_table};
use super::data_files::{read_data_file, ColumnChoice};
use super::embedding::{embed_all, load_embedder, model_id};
use super::{print_json, ColumnArgs};
use airlock_classifier::train::{
    DEFAULT_CALIBRATION_FRACTION, DEFAULT_L2, DEFAULT_MAX_ITERATIONS, DEFAULT_STANDARDIZE,
};
use airlock_classifier::{
    check_trainable, sha256_file, train_classifier, ClassifierArtifact, Columns,
    EmbeddingModelInfo, TrainingDataInfo, TrainingMetrics, TrainingOptions,
};
use airlock_config::Settings;
use airlock_core::Result;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Labelled examples: .csv with a header, or .jsonl with one {"text", "label"} object per line.
    /// Repeat to merge several files (each read with the columns it has).
    #[arg(long, value_name = "FILE", required = true)]
    pub data: Vec<PathBuf>,
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
    /// The classifier this one would replace: evaluated next to the new one
    /// on `--holdout`, printed side by side.
    #[arg(long, value_name = "PREVIOUS.json", requires = "holdout")]
    pub compare: Option<PathBuf>,
    /// Held-out labelled examples (.csv or .jsonl), in none of the `--data`
    /// files, for `--compare`.
    #[arg(long, value_name = "FILE", requires = "compare")]
    pub holdout: Option<PathBuf>,
}

pub fn run(args: TrainArgs, settings: &Settings) -> Result<()> {
    let options = TrainingOptions {
        calibration_fraction: args.calibration_fraction,
        seed: args.seed,
        l2: args.l2,
        max_iterations: args.epochs,
        standardize: args.standardize,
    };
    let choice = ColumnChoice::from(&args.columns);
    let (artifact, metrics) =
        train_files_and_save(&args.data, &choice, &args.out, options, settings)?;
    let mut summary = serde_json::json!({
        "model": args.out.display().to_string(),
        "labels": artifact.labels.len(),
        "examples": artifact.training_data.examples,
        "temperature": artifact.calibration.temperature,
        "training_metrics": metrics,
        "content_hash": artifact.content_hash,
    });
    if let (Some(previous), Some(holdout)) = (&args.compare, &args.holdout) {
        let comparison = compare_on_holdout(previous, &args.out, holdout, &choice, settings)?;
        print_table(&comparison);
        summary["comparison"] = serde_json::to_value(&comparison)
            .map_err(|e| airlock_core::Error::internal(format!("cannot encode JSON: {e}")))?;
    }
    print_json(&summary, true)
}

/// Reads `data` with `columns`, embeds it with the configured model,
/// trains a calibrated classifier and saves it to `out`, reporting
/// progress on stderr.
pub fn train_and_save(
    data: &Path,
    out: &Path,
    columns: &Columns,
    options: TrainingOptions,
    settings: &Settings,
) -> Result<(ClassifierArtifact, TrainingMetrics)> {
    let choice = ColumnChoice {
        requested: columns.clone(),
    };
    train_files_and_save(&[data.to_path_buf()], &choice, out, options, settings)
}

/// [`train_and_save`] over several files merged (each read with the
/// columns it has, see `data_files`). The artifact records the files as
/// `a + b` and their SHA-256 digests as `sha_a+sha_b`.
pub fn train_files_and_save(
    data: &[PathBuf],
    columns: &ColumnChoice,
    out: &Path,
    options: TrainingOptions,
    settings: &Settings,
) -> Result<(ClassifierArtifact, TrainingMetrics)> {
    options.validate()?;
    let mut examples = Vec::new();
    let mut digests = Vec::with_capacity(data.len());
    for file in data {
        let read = read_data_file(file, columns)?;
        if data.len() > 1 {
            eprintln!("read {} examples from {}", read.len(), file.display());
        }
        examples.extend(read);
        digests.push(sha256_file(file)?);
    }
    let origin = data
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    let labels = check_trainable(&examples, &origin)?;
    eprintln!(
        "read {} examples of {} labels from {origin}",
        examples.len(),
        labels.len()
    );
    let data_sha256 = digests.join("+");
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
