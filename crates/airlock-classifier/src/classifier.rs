//! Applying a saved classifier: calibrated label probabilities for an
//! embedding, top-k alternatives, and evaluation against labelled data.

use crate::artifact::ClassifierArtifact;
use crate::linear::{softmax_with_temperature, LinearModel};
use crate::metrics::{
    accuracy, coverage_curve, expected_calibration_error, macro_f1, per_label_scores,
    EvaluationReport, COVERAGE_THRESHOLDS, ECE_BINS,
};
use crate::train::score;
use airlock_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many runner-up labels a prediction lists.
pub const ALTERNATIVES: usize = 3;

/// A label with its calibrated probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelConfidence {
    pub label: String,
    pub confidence: f64,
}

/// The most likely label and the next ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub label: String,
    pub confidence: f64,
    /// The next most likely labels, most likely first, at most [`ALTERNATIVES`].
    pub alternatives: Vec<LabelConfidence>,
}

/// A loaded classifier ready to score embeddings.
#[derive(Debug, Clone)]
pub struct Classifier {
    artifact: ClassifierArtifact,
    model: LinearModel,
}

impl Classifier {
    pub fn from_artifact(artifact: ClassifierArtifact) -> Result<Classifier> {
        let model = LinearModel::new(
            artifact.labels.len(),
            artifact.embedding_model.dimension,
            artifact.weights.concat(),
            artifact.bias.clone(),
        )?;
        Ok(Classifier { artifact, model })
    }

    pub fn artifact(&self) -> &ClassifierArtifact {
        &self.artifact
    }

    pub fn labels(&self) -> &[String] {
        &self.artifact.labels
    }

    pub fn temperature(&self) -> f64 {
        self.artifact.calibration.temperature
    }

    /// Calibrated probabilities of every label, in `labels()` order.
    pub fn probabilities(&self, embedding: &[f32]) -> Result<Vec<f64>> {
        let logits = self.model.logits(embedding)?;
        Ok(softmax_with_temperature(&logits, self.temperature()))
    }

    /// The most likely label with its calibrated confidence and alternatives.
    pub fn predict(&self, embedding: &[f32]) -> Result<Prediction> {
        let probs = self.probabilities(embedding)?;
        let mut order: Vec<usize> = (0..probs.len()).collect();
        // Highest probability first; label order breaks ties so output is stable.
        order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
        let entry = |i: usize| LabelConfidence {
            label: self.artifact.labels[i].clone(),
            confidence: probs[i],
        };
        let top = entry(order[0]);
        Ok(Prediction {
            label: top.label,
            confidence: top.confidence,
            alternatives: order
                .iter()
                .skip(1)
                .take(ALTERNATIVES)
                .map(|&i| entry(i))
                .collect(),
        })
    }

    /// Scores the classifier on labelled embeddings. Every label must be
    /// one the classifier knows.
    pub fn evaluate(&self, embeddings: &[Vec<f32>], labels: &[String]) -> Result<EvaluationReport> {
        if embeddings.len() != labels.len() || embeddings.is_empty() {
            return Err(Error::invalid_input(format!(
                "evaluation needs one label per embedding and at least one example ({} embeddings, {} labels)",
                embeddings.len(),
                labels.len()
            )));
        }
        let ids: BTreeMap<&str, usize> = self
            .artifact
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let targets = labels
            .iter()
            .map(|l| {
                ids.get(l.as_str()).copied().ok_or_else(|| {
                    Error::invalid_input(format!(
                        "label `{l}` in the evaluation data is not one the classifier knows"
                    ))
                    .with_field(l.clone())
                    .with_hint("evaluate on data with the labels the classifier was trained on")
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let logits = embeddings
            .iter()
            .map(|e| self.model.logits(e))
            .collect::<Result<Vec<_>>>()?;
        let t = self.temperature();
        let calibrated = score(&logits, &targets, t);
        let uncalibrated = score(&logits, &targets, 1.0);
        let k = self.artifact.labels.len();
        // Labels that are neither in the data nor ever predicted are left out.
        let mut predicted_any = vec![false; k];
        for p in &calibrated {
            predicted_any[p.predicted] = true;
        }
        let per_label = per_label_scores(&calibrated, k)
            .into_iter()
            .enumerate()
            .filter(|(i, s)| s.support > 0 || predicted_any[*i])
            .map(|(i, s)| (self.artifact.labels[i].clone(), s))
            .collect();
        Ok(EvaluationReport {
            n: embeddings.len(),
            accuracy: accuracy(&calibrated),
            macro_f1: macro_f1(&calibrated, k),
            ece: expected_calibration_error(&calibrated, ECE_BINS),
            ece_uncalibrated: expected_calibration_error(&uncalibrated, ECE_BINS),
            nll: crate::calibration::mean_nll(&logits, &targets, t),
            nll_uncalibrated: crate::calibration::mean_nll(&logits, &targets, 1.0),
            coverage: coverage_curve(&calibrated, &COVERAGE_THRESHOLDS),
            per_label,
        })
    }
}
