//! Sweeps training settings on pre-computed embeddings, to choose defaults:
//! trains on one labelled set and reports accuracy, ECE and training time
//! on another.
//!
//! The embeddings files hold one JSON array per line, in the order of the
//! CSV rows (e.g. from `airlock embed`):
//!
//! ```sh
//! cargo run --release -p airlock-classifier --example l2_sweep -- \
//!     train.csv train.emb.jsonl test.csv test.emb.jsonl category
//! ```

use airlock_classifier::{
    read_examples, train_classifier, Classifier, ClassifierArtifact, Columns, EmbeddingModelInfo,
    TrainingDataInfo, TrainingOptions,
};
use std::path::Path;

fn load(csv: &str, embeddings: &str, label_column: &str) -> (Vec<Vec<f32>>, Vec<String>) {
    let columns = Columns {
        text: "text".into(),
        label: label_column.into(),
    };
    let examples = read_examples(Path::new(csv), &columns).expect("read data");
    let vectors: Vec<Vec<f32>> = std::fs::read_to_string(embeddings)
        .expect("read embeddings")
        .lines()
        .map(|l| serde_json::from_str(l).expect("embedding line"))
        .collect();
    assert_eq!(vectors.len(), examples.len(), "one embedding per example");
    (vectors, examples.into_iter().map(|e| e.label).collect())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!(
            "usage: l2_sweep TRAIN.csv TRAIN.emb.jsonl TEST.csv TEST.emb.jsonl [LABEL_COLUMN]"
        );
        std::process::exit(2);
    }
    let label_column = args.get(4).map(String::as_str).unwrap_or("label");
    let (train_x, train_y) = load(&args[0], &args[1], label_column);
    let (test_x, test_y) = load(&args[2], &args[3], label_column);
    println!("l2\tstandardize\titers\ttrain_s\tT\theldout_acc\ttest_acc\tmacro_f1\tece\tece_uncal");
    // Settings to try: `standardize:l2` pairs from $SWEEP (comma-separated),
    // else a default grid.
    let grid: Vec<(bool, f64)> = match std::env::var("SWEEP") {
        Ok(spec) => spec
            .split(',')
            .map(|pair| {
                let (s, l2) = pair
                    .split_once(':')
                    .expect("SWEEP entries are standardize:l2");
                (s == "true", l2.parse().expect("l2 is a number"))
            })
            .collect(),
        Err(_) => [false, true]
            .into_iter()
            .flat_map(|s| [1e-3, 1e-4, 1e-5, 1e-6].map(|l2| (s, l2)))
            .collect(),
    };
    {
        for (standardize, l2) in grid {
            let options = TrainingOptions {
                l2,
                standardize,
                ..TrainingOptions::default()
            };
            let trained = train_classifier(&train_x, &train_y, &options).expect("train");
            let metrics = trained.metrics.clone();
            let temperature = trained.temperature;
            let artifact = ClassifierArtifact::new(
                trained,
                EmbeddingModelInfo {
                    id: "sweep".into(),
                    sha256: String::new(),
                    dimension: train_x[0].len(),
                },
                TrainingDataInfo {
                    file: args[0].clone(),
                    sha256: String::new(),
                    examples: train_x.len(),
                },
                options,
            )
            .expect("artifact");
            let report = Classifier::from_artifact(artifact)
                .expect("classifier")
                .evaluate(&test_x, &test_y)
                .expect("evaluate");
            println!(
                "{l2:e}\t{standardize}\t{}\t{:.2}\t{temperature:.3}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\t{:.4}",
                metrics.iterations,
                metrics.training_seconds,
                metrics.calibration_accuracy,
                report.accuracy,
                report.macro_f1,
                report.ece,
                report.ece_uncalibrated
            );
        }
    }
}
