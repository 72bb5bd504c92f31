//! Training a calibrated classifier from embeddings and their labels: a
//! stratified hold-out split, softmax regression on the training part, and
//! temperature scaling fitted on the held-out part.

use crate::calibration::{fit_temperature, mean_nll};
use crate::linear::{softmax_with_temperature, LinearModel};
use crate::metrics::{accuracy, expected_calibration_error, ScoredPrediction, ECE_BINS};
use crate::softmax_fit::{fit_softmax, FitOptions};
use crate::split::stratified_split;
use airlock_core::{Error, Result};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Default L2 strength (on standardised dimensions). Chosen by accuracy on
/// the held-out part of BANKING77's training set with all-MiniLM-L6-v2
/// embeddings (see docs/quality-banking77.md), not on its test set.
pub const DEFAULT_L2: f64 = 1e-3;
/// Standardising dimensions is the default: with it the same L2 works
/// across embedding scales, and it measured best on held-out BANKING77 data.
pub const DEFAULT_STANDARDIZE: bool = true;
/// Default maximum L-BFGS iterations.
pub const DEFAULT_MAX_ITERATIONS: u64 = 500;
/// Default share of each label's examples held out for calibration.
pub const DEFAULT_CALIBRATION_FRACTION: f64 = 0.1;

/// Options of one training run; recorded in the artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingOptions {
    /// Share of each label's examples held out to fit the temperature.
    pub calibration_fraction: f64,
    /// Seed of the stratified split.
    pub seed: u64,
    /// L2 penalty strength on the weights.
    pub l2: f64,
    /// Maximum L-BFGS iterations (full passes over the training part).
    pub max_iterations: u64,
    /// Standardise embedding dimensions while fitting.
    pub standardize: bool,
}

impl Default for TrainingOptions {
    fn default() -> Self {
        TrainingOptions {
            calibration_fraction: DEFAULT_CALIBRATION_FRACTION,
            seed: 0,
            l2: DEFAULT_L2,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            standardize: DEFAULT_STANDARDIZE,
        }
    }
}

impl TrainingOptions {
    /// Rejects option values that cannot train anything.
    pub fn validate(&self) -> Result<()> {
        if !(self.calibration_fraction > 0.0 && self.calibration_fraction < 1.0) {
            return Err(Error::invalid_input(format!(
                "calibration fraction must be between 0 and 1 (exclusive), got {}",
                self.calibration_fraction
            ))
            .with_field("calibration_fraction"));
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(Error::invalid_input(format!(
                "l2 must be a finite number ≥ 0, got {}",
                self.l2
            ))
            .with_field("l2"));
        }
        if self.max_iterations == 0 {
            return Err(Error::invalid_input("epochs must be at least 1").with_field("epochs"));
        }
        Ok(())
    }
}

/// Numbers measured while training; recorded in the artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMetrics {
    pub train_examples: usize,
    pub calibration_examples: usize,
    pub iterations: u64,
    pub final_loss: f64,
    pub train_accuracy: f64,
    pub calibration_accuracy: f64,
    pub calibration_nll_before: f64,
    pub calibration_nll_after: f64,
    pub calibration_ece_before: f64,
    pub calibration_ece_after: f64,
    pub training_seconds: f64,
}

/// A trained model with its labels (sorted), temperature and metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainedClassifier {
    pub labels: Vec<String>,
    pub model: LinearModel,
    pub temperature: f64,
    pub metrics: TrainingMetrics,
}

/// Trains on `embeddings[i]` labelled `labels[i]`. Every label needs at
/// least two examples (one trained on, one held out for calibration).
pub fn train_classifier(
    embeddings: &[Vec<f32>],
    labels: &[String],
    options: &TrainingOptions,
) -> Result<TrainedClassifier> {
    let started = std::time::Instant::now();
    options.validate()?;
    if embeddings.len() != labels.len() {
        return Err(Error::internal(format!(
            "{} embeddings for {} labels",
            embeddings.len(),
            labels.len()
        )));
    }
    let dimension = embeddings.first().map(Vec::len).unwrap_or(0);
    if dimension == 0 || embeddings.iter().any(|e| e.len() != dimension) {
        return Err(Error::invalid_input(
            "embeddings must be non-empty and all of the same dimension",
        ));
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for label in labels {
        *counts.entry(label.as_str()).or_default() += 1;
    }
    if counts.len() < 2 {
        return Err(Error::invalid_input(format!(
            "a classifier needs at least 2 labels, found {}",
            counts.len()
        )));
    }
    if let Some((label, _)) = counts.iter().find(|(_, n)| **n < 2) {
        return Err(Error::invalid_input(format!(
            "label `{label}` has only one example; it cannot be both trained on and held out for calibration"
        ))
        .with_hint("add more examples of that label or remove it"));
    }
    let label_names: Vec<String> = counts.keys().map(|l| l.to_string()).collect();
    let label_ids: BTreeMap<&str, usize> = label_names
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let targets: Vec<usize> = labels.iter().map(|l| label_ids[l.as_str()]).collect();
    let split = stratified_split(&targets, options.calibration_fraction, options.seed);

    let rows = gather_rows(embeddings, &split.train, dimension)?;
    let train_targets: Vec<usize> = split.train.iter().map(|&i| targets[i]).collect();
    let fit_options = FitOptions {
        l2: options.l2,
        max_iterations: options.max_iterations,
        standardize: options.standardize,
    };
    let (model, summary) = fit_softmax(rows, &train_targets, label_names.len(), &fit_options)?;

    let logits_of = |indices: &[usize]| -> Result<Vec<Vec<f64>>> {
        indices
            .iter()
            .map(|&i| model.logits(&embeddings[i]))
            .collect()
    };
    let train_logits = logits_of(&split.train)?;
    let held_logits = logits_of(&split.held_out)?;
    let held_targets: Vec<usize> = split.held_out.iter().map(|&i| targets[i]).collect();
    let temperature = fit_temperature(&held_logits, &held_targets);
    let held_before = score(&held_logits, &held_targets, 1.0);
    let held_after = score(&held_logits, &held_targets, temperature);
    let metrics = TrainingMetrics {
        train_examples: split.train.len(),
        calibration_examples: split.held_out.len(),
        iterations: summary.iterations,
        final_loss: summary.final_loss,
        train_accuracy: accuracy(&score(&train_logits, &train_targets, 1.0)),
        calibration_accuracy: accuracy(&held_after),
        calibration_nll_before: mean_nll(&held_logits, &held_targets, 1.0),
        calibration_nll_after: mean_nll(&held_logits, &held_targets, temperature),
        calibration_ece_before: expected_calibration_error(&held_before, ECE_BINS),
        calibration_ece_after: expected_calibration_error(&held_after, ECE_BINS),
        training_seconds: started.elapsed().as_secs_f64(),
    };
    Ok(TrainedClassifier {
        labels: label_names,
        model,
        temperature,
        metrics,
    })
}

fn gather_rows(
    embeddings: &[Vec<f32>],
    indices: &[usize],
    dimension: usize,
) -> Result<Array2<f32>> {
    let mut flat = Vec::with_capacity(indices.len() * dimension);
    for &i in indices {
        flat.extend_from_slice(&embeddings[i]);
    }
    Array2::from_shape_vec((indices.len(), dimension), flat)
        .map_err(|e| Error::internal(format!("embedding matrix shape: {e}")))
}

/// Top-1 predictions with confidences under `temperature`.
pub(crate) fn score(
    logits: &[Vec<f64>],
    targets: &[usize],
    temperature: f64,
) -> Vec<ScoredPrediction> {
    logits
        .iter()
        .zip(targets)
        .map(|(z, &truth)| {
            let probs = softmax_with_temperature(z, temperature);
            let (predicted, confidence) = argmax(&probs);
            ScoredPrediction {
                predicted,
                truth,
                confidence,
            }
        })
        .collect()
}

/// Index and value of the largest entry (first on ties).
pub(crate) fn argmax(values: &[f64]) -> (usize, f64) {
    values
        .iter()
        .copied()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, v)| {
            if v > best.1 {
                (i, v)
            } else {
                best
            }
        })
}
