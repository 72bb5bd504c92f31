//! Quality measures of a classifier's predictions: accuracy, macro-F1,
//! per-label precision/recall/F1, expected calibration error, negative
//! log-likelihood and the coverage/accuracy trade-off at confidence thresholds.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Number of equal-width confidence bins of [`expected_calibration_error`].
pub const ECE_BINS: usize = 15;
/// Confidence thresholds the coverage curve is reported at.
pub const COVERAGE_THRESHOLDS: [f64; 7] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

/// One prediction to score: the predicted and true label ids and the
/// confidence (probability) the model gave its prediction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPrediction {
    pub predicted: usize,
    pub truth: usize,
    pub confidence: f64,
}

impl ScoredPrediction {
    fn correct(&self) -> bool {
        self.predicted == self.truth
    }
}

/// Fraction of predictions that are right (0 for no predictions).
pub fn accuracy(predictions: &[ScoredPrediction]) -> f64 {
    if predictions.is_empty() {
        return 0.0;
    }
    predictions.iter().filter(|p| p.correct()).count() as f64 / predictions.len() as f64
}

/// Expected calibration error over `bins` equal-width confidence bins:
/// `Σ_b |B_b|/n · |accuracy(B_b) − mean confidence(B_b)|`. Bin `b` holds
/// confidences in `[b/bins, (b+1)/bins)`; a confidence of exactly 1 goes in the last.
pub fn expected_calibration_error(predictions: &[ScoredPrediction], bins: usize) -> f64 {
    if predictions.is_empty() || bins == 0 {
        return 0.0;
    }
    let mut count = vec![0usize; bins];
    let mut correct = vec![0usize; bins];
    let mut confidence = vec![0.0f64; bins];
    for p in predictions {
        let bin = ((p.confidence * bins as f64).floor() as usize).min(bins - 1);
        count[bin] += 1;
        confidence[bin] += p.confidence;
        if p.correct() {
            correct[bin] += 1;
        }
    }
    let n = predictions.len() as f64;
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| {
            let size = count[b] as f64;
            (size / n) * (correct[b] as f64 / size - confidence[b] / size).abs()
        })
        .sum()
}

/// Share of predictions at or above one confidence threshold, and how
/// accurate those are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoveragePoint {
    pub threshold: f64,
    pub coverage: f64,
    /// `None` when no prediction reaches the threshold.
    pub accuracy: Option<f64>,
}

/// Coverage and accuracy of predictions with `confidence >= t` for each `t`.
pub fn coverage_curve(predictions: &[ScoredPrediction], thresholds: &[f64]) -> Vec<CoveragePoint> {
    thresholds
        .iter()
        .map(|&threshold| {
            let kept = predictions
                .iter()
                .filter(|p| p.confidence >= threshold)
                .copied()
                .collect::<Vec<_>>();
            CoveragePoint {
                threshold,
                coverage: if predictions.is_empty() {
                    0.0
                } else {
                    kept.len() as f64 / predictions.len() as f64
                },
                accuracy: (!kept.is_empty()).then(|| accuracy(&kept)),
            }
        })
        .collect()
}

/// Precision, recall and F1 of one label, with its number of true examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Per-label scores for label ids `0..label_count`, keyed by id. Precision
/// of a label never predicted, and recall of a label never true, are 0.
pub fn per_label_scores(predictions: &[ScoredPrediction], label_count: usize) -> Vec<LabelScores> {
    let mut true_pos = vec![0usize; label_count];
    let mut predicted = vec![0usize; label_count];
    let mut actual = vec![0usize; label_count];
    for p in predictions {
        if p.predicted < label_count {
            predicted[p.predicted] += 1;
        }
        if p.truth < label_count {
            actual[p.truth] += 1;
        }
        if p.correct() && p.truth < label_count {
            true_pos[p.truth] += 1;
        }
    }
    (0..label_count)
        .map(|l| {
            let ratio = |num: usize, den: usize| {
                if den == 0 {
                    0.0
                } else {
                    num as f64 / den as f64
                }
            };
            let precision = ratio(true_pos[l], predicted[l]);
            let recall = ratio(true_pos[l], actual[l]);
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            LabelScores {
                precision,
                recall,
                f1,
                support: actual[l],
            }
        })
        .collect()
}

/// Unweighted mean F1 over the labels that occur in the truth or the
/// predictions (labels absent from both say nothing about this data).
pub fn macro_f1(predictions: &[ScoredPrediction], label_count: usize) -> f64 {
    let scores = per_label_scores(predictions, label_count);
    let mut seen = vec![false; label_count];
    for p in predictions {
        for id in [p.predicted, p.truth] {
            if id < label_count {
                seen[id] = true;
            }
        }
    }
    let present = scores
        .iter()
        .zip(&seen)
        .filter(|(_, s)| **s)
        .map(|(score, _)| score.f1)
        .collect::<Vec<_>>();
    if present.is_empty() {
        0.0
    } else {
        present.iter().sum::<f64>() / present.len() as f64
    }
}

/// Everything `airlock classify eval` reports about one data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationReport {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// ECE of the calibrated probabilities.
    pub ece: f64,
    /// ECE of the uncalibrated probabilities (temperature 1).
    pub ece_uncalibrated: f64,
    /// Mean negative log-likelihood of the calibrated probabilities.
    pub nll: f64,
    pub nll_uncalibrated: f64,
    pub coverage: Vec<CoveragePoint>,
    pub per_label: BTreeMap<String, LabelScores>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(predicted: usize, truth: usize, confidence: f64) -> ScoredPrediction {
        ScoredPrediction {
            predicted,
            truth,
            confidence,
        }
    }

    #[test]
    fn accuracy_counts_right_predictions() {
        let preds = [p(0, 0, 0.9), p(1, 0, 0.6), p(1, 1, 0.7), p(2, 2, 0.5)];
        assert_eq!(accuracy(&preds), 0.75);
        assert_eq!(accuracy(&[]), 0.0);
    }

    #[test]
    fn ece_by_hand() {
        // 15 bins of width 1/15: 0.97 and 0.99 fall in bin 14 (one right →
        // |0.5 - 0.98|, weight 2/4), 0.62 in bin 9 (right → |1 - 0.62|,
        // weight 1/4), 0.30 in bin 4 (right → |1 - 0.30|, weight 1/4).
        let preds = [p(0, 0, 0.97), p(1, 0, 0.99), p(0, 0, 0.62), p(1, 1, 0.30)];
        let expected =
            0.5 * (0.5f64 - 0.98).abs() + 0.25 * (1.0f64 - 0.62) + 0.25 * (1.0f64 - 0.30);
        assert!((expected_calibration_error(&preds, 15) - expected).abs() < 1e-12);
        let perfect = [p(0, 0, 1.0), p(1, 1, 1.0)];
        assert_eq!(expected_calibration_error(&perfect, 15), 0.0);
        // With 2 bins, 0.62 and 0.97 and 0.99 share the top bin.
        let two_bins = (3.0 / 4.0) * (2.0f64 / 3.0 - (0.97 + 0.99 + 0.62) / 3.0).abs()
            + 0.25 * (1.0f64 - 0.30);
        assert!((expected_calibration_error(&preds, 2) - two_bins).abs() < 1e-12);
    }

    #[test]
    fn coverage_by_hand() {
        let preds = [p(0, 0, 0.95), p(1, 0, 0.85), p(1, 1, 0.55), p(2, 2, 0.4)];
        let curve = coverage_curve(&preds, &[0.5, 0.9, 0.99]);
        assert_eq!(curve[0].coverage, 0.75);
        assert!((curve[0].accuracy.expect("some kept") - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(curve[1].coverage, 0.25);
        assert_eq!(curve[1].accuracy, Some(1.0));
        assert_eq!(curve[2].coverage, 0.0);
        assert_eq!(curve[2].accuracy, None);
    }

    #[test]
    fn macro_f1_by_hand() {
        // label 0: tp 1, predicted 1, actual 2 → P 1, R .5, F1 2/3
        // label 1: tp 1, predicted 2, actual 1 → P .5, R 1, F1 2/3
        // label 2: tp 1, predicted 1, actual 1 → F1 1
        // label 3: never seen → excluded
        let preds = [p(0, 0, 0.9), p(1, 0, 0.6), p(1, 1, 0.7), p(2, 2, 0.5)];
        let scores = per_label_scores(&preds, 4);
        assert_eq!(scores[0].precision, 1.0);
        assert_eq!(scores[0].recall, 0.5);
        assert_eq!(scores[1].precision, 0.5);
        assert_eq!(scores[3].support, 0);
        let expected = (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0;
        assert!((macro_f1(&preds, 4) - expected).abs() < 1e-12);
    }
}
