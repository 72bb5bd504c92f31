//! Two classifiers side by side on one held-out set: accuracy, macro F1,
//! calibration error and log loss of each, and the labels whose F1 changed
//! most. Used by `airlock classify train --compare` (the new artifact
//! against the one it replaces) and `airlock classify compare`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use airlock_classifier::{Classifier, ClassifierArtifact, EvaluationReport};
use airlock_config::Settings;
use airlock_core::Result;
use serde::Serialize;

use super::data_files::{read_data_file, ColumnChoice};
use super::embedding::{embed_all, load_embedder};
use super::{print_json, ColumnArgs};

/// Labels listed under "changed most".
const CHANGED_LABELS_SHOWN: usize = 10;

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The classifier in use now.
    #[arg(long, value_name = "FILE")]
    pub previous: PathBuf,
    /// The candidate classifier.
    #[arg(long, value_name = "FILE")]
    pub new: PathBuf,
    /// Held-out labelled examples (.csv or .jsonl) neither was trained on.
    #[arg(long, value_name = "FILE")]
    pub holdout: PathBuf,
    #[command(flatten)]
    pub columns: ColumnArgs,
}

/// The headline scores of one classifier on the held-out set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub model: String,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// Expected calibration error of the calibrated confidence.
    pub ece: f64,
    /// Mean negative log-likelihood (log loss).
    pub nll: f64,
}

/// One label's F1 under both classifiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelChange {
    pub label: String,
    /// Held-out examples of this label.
    pub support: usize,
    pub previous_f1: Option<f64>,
    pub new_f1: Option<f64>,
    /// `new_f1 - previous_f1` (a label one classifier lacks counts as F1 0).
    pub change: f64,
}

/// Both classifiers on one held-out set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub holdout: String,
    pub examples: usize,
    pub previous: Scores,
    pub new: Scores,
    /// The labels whose F1 moved most, largest change first.
    pub labels_changed_most: Vec<LabelChange>,
}

pub fn run(args: CompareArgs, settings: &Settings) -> Result<()> {
    let choice = ColumnChoice::from(&args.columns);
    let comparison =
        compare_on_holdout(&args.previous, &args.new, &args.holdout, &choice, settings)?;
    print_table(&comparison);
    print_json(&comparison, true)
}

/// Evaluates `previous` and `new` on `holdout` (embedded once).
pub fn compare_on_holdout(
    previous: &Path,
    new: &Path,
    holdout: &Path,
    columns: &ColumnChoice,
    settings: &Settings,
) -> Result<Comparison> {
    let embedder = load_embedder(settings)?;
    let load = |path: &Path| -> Result<Classifier> {
        let artifact = ClassifierArtifact::load(path)?;
        artifact.check_embedding_model(
            embedder.model_sha256(),
            embedder.dimension(),
            &path.display().to_string(),
        )?;
        Classifier::from_artifact(artifact)
    };
    let (previous_classifier, new_classifier) = (load(previous)?, load(new)?);
    let examples = read_data_file(holdout, columns)?;
    eprintln!(
        "comparing on {} held-out examples from {}",
        examples.len(),
        holdout.display()
    );
    let texts: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
    let embeddings = embed_all(&embedder, &texts)?;
    let labels: Vec<String> = examples.into_iter().map(|e| e.label).collect();
    let previous_report = previous_classifier.evaluate(&embeddings, &labels)?;
    let new_report = new_classifier.evaluate(&embeddings, &labels)?;
    Ok(Comparison {
        holdout: holdout.display().to_string(),
        examples: labels.len(),
        previous: scores(previous, &previous_report),
        new: scores(new, &new_report),
        labels_changed_most: changed_most(&previous_report, &new_report, CHANGED_LABELS_SHOWN),
    })
}

fn scores(path: &Path, report: &EvaluationReport) -> Scores {
    Scores {
        model: path.display().to_string(),
        accuracy: report.accuracy,
        macro_f1: report.macro_f1,
        ece: report.ece,
        nll: report.nll,
    }
}

/// Up to `shown` labels with a nonzero F1 change, largest change first
/// (ties by label).
fn changed_most(
    previous: &EvaluationReport,
    new: &EvaluationReport,
    shown: usize,
) -> Vec<LabelChange> {
    let labels: BTreeSet<&String> = previous
        .per_label
        .keys()
        .chain(new.per_label.keys())
        .collect();
    let mut changes: Vec<LabelChange> = labels
        .into_iter()
        .map(|label| {
            let before = previous.per_label.get(label);
            let after = new.per_label.get(label);
            let previous_f1 = before.map(|s| s.f1);
            let new_f1 = after.map(|s| s.f1);
            LabelChange {
                label: label.clone(),
                support: after.or(before).map_or(0, |s| s.support),
                previous_f1,
                new_f1,
                change: new_f1.unwrap_or(0.0) - previous_f1.unwrap_or(0.0),
            }
        })
        .filter(|c| c.change != 0.0)
        .collect();
    changes.sort_by(|a, b| {
        b.change
            .abs()
            .total_cmp(&a.change.abs())
            .then_with(|| a.label.cmp(&b.label))
    });
    changes.truncate(shown);
    changes
}

/// The comparison as a table on stderr (stdout carries the JSON).
pub fn print_table(c: &Comparison) {
    eprintln!();
    eprintln!("held-out set: {} ({} examples)", c.holdout, c.examples);
    eprintln!(
        "{:<16} {:>10} {:>10} {:>10}",
        "", "previous", "new", "change"
    );
    let rows = [
        ("accuracy", c.previous.accuracy, c.new.accuracy),
        ("macro F1", c.previous.macro_f1, c.new.macro_f1),
        ("ECE", c.previous.ece, c.new.ece),
        ("log loss (NLL)", c.previous.nll, c.new.nll),
    ];
    for (name, before, after) in rows {
        eprintln!(
            "{name:<16} {before:>10.4} {after:>10.4} {:>+10.4}",
            after - before
        );
    }
    if c.labels_changed_most.is_empty() {
        eprintln!("no label's F1 changed");
    } else {
        eprintln!("labels whose F1 changed most:");
        eprintln!(
            "  {:<36} {:>8} {:>8} {:>8} {:>8}",
            "label", "support", "previous", "new", "change"
        );
        let f1 = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
        for l in &c.labels_changed_most {
            eprintln!(
                "  {:<36} {:>8} {:>8} {:>8} {:>+8.3}",
                l.label,
                l.support,
                f1(l.previous_f1),
                f1(l.new_f1),
                l.change
            );
        }
    }
    eprintln!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_classifier::LabelScores;
    use std::collections::BTreeMap;

    fn report(f1s: &[(&str, f64)]) -> EvaluationReport {
        EvaluationReport {
            n: 10,
            accuracy: 0.5,
            macro_f1: 0.5,
            ece: 0.1,
            ece_uncalibrated: 0.2,
            nll: 1.0,
            nll_uncalibrated: 1.5,
            coverage: vec![],
            per_label: f1s
                .iter()
                .map(|(label, f1)| {
                    (
                        label.to_string(),
                        LabelScores {
                            precision: *f1,
                            recall: *f1,
                            f1: *f1,
                            support: 3,
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn labels_are_ranked_by_the_size_of_their_change() {
        let before = report(&[("a", 0.5), ("b", 0.9), ("c", 0.4), ("d", 0.7)]);
        let after = report(&[("a", 0.6), ("b", 0.6), ("c", 0.4), ("e", 0.2)]);
        let changes = changed_most(&before, &after, 3);
        let names: Vec<&str> = changes.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(names, ["d", "b", "e"], "{changes:#?}");
        assert_eq!(changes[0].new_f1, None);
        assert!((changes[0].change + 0.7).abs() < 1e-12);
        assert!((changes[1].change + 0.3).abs() < 1e-12);
        assert_eq!(changes[2].previous_f1, None);
        let all = changed_most(&before, &after, 10);
        assert!(
            all.iter().all(|c| c.label != "c"),
            "unchanged labels are left out"
        );
        assert_eq!(all.len(), 4);
    }
}
