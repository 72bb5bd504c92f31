//! Detection metrics of one detector's scores against labels: at a
//! threshold (a score at or above it flags the text) the detection rate on
//! attacks (TPR), the false-positive rate on benign texts (FPR),
//! precision and F1 with the counts behind them; a sweep of thresholds;
//! and ROC AUC, which does not depend on a threshold.

use serde::Serialize;

/// Thresholds of the sweep table.
pub const SWEEP: &[f64] = &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// Counts and rates at one threshold. Rates are `None` when undefined
/// (no attacks, no benign texts, nothing flagged).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtThreshold {
    pub threshold: f64,
    pub true_positives: usize,
    pub false_negatives: usize,
    pub false_positives: usize,
    pub true_negatives: usize,
    /// Detection rate on attacks: TP / (TP + FN).
    pub tpr: Option<f64>,
    /// False-positive rate on benign texts: FP / (FP + TN).
    pub fpr: Option<f64>,
    pub precision: Option<f64>,
    pub f1: Option<f64>,
}

/// One detector's metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectorMetrics {
    #[serde(flatten)]
    pub at_threshold: AtThreshold,
    /// Probability that a random attack scores above a random benign
    /// text (ties count half); `None` without both kinds.
    pub auc: Option<f64>,
    pub sweep: Vec<AtThreshold>,
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Counts and rates of `scores` against `labels` (true = attack) at `threshold`.
pub fn at_threshold(scores: &[f64], labels: &[bool], threshold: f64) -> AtThreshold {
    let (mut tp, mut fn_, mut fp, mut tn) = (0, 0, 0, 0);
    for (&score, &attack) in scores.iter().zip(labels) {
        match (attack, score >= threshold) {
            (true, true) => tp += 1,
            (true, false) => fn_ += 1,
            (false, true) => fp += 1,
            (false, false) => tn += 1,
        }
    }
    let tpr = ratio(tp, tp + fn_);
    let precision = ratio(tp, tp + fp);
    let f1 = match (precision, tpr) {
        (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    AtThreshold {
        threshold,
        true_positives: tp,
        false_negatives: fn_,
        false_positives: fp,
        true_negatives: tn,
        tpr,
        fpr: ratio(fp, fp + tn),
        precision,
        f1,
    }
}

/// ROC AUC by pairwise comparison (the sets here are small: O(P·N) is fine).
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let attacks: Vec<f64> = scores
        .iter()
        .zip(labels)
        .filter(|(_, a)| **a)
        .map(|(s, _)| *s)
        .collect();
    let benign: Vec<f64> = scores
        .iter()
        .zip(labels)
        .filter(|(_, a)| !**a)
        .map(|(s, _)| *s)
        .collect();
    if attacks.is_empty() || benign.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for a in &attacks {
        for b in &benign {
            wins += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    Some(wins / (attacks.len() * benign.len()) as f64)
}

/// All metrics of one detector.
pub fn detector_metrics(scores: &[f64], labels: &[bool], threshold: f64) -> DetectorMetrics {
    DetectorMetrics {
        at_threshold: at_threshold(scores, labels, threshold),
        auc: roc_auc(scores, labels),
        sweep: SWEEP
            .iter()
            .map(|&t| at_threshold(scores, labels, t))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rates_precision_and_f1() {
        let scores = [0.9, 0.6, 0.2, 0.7, 0.1, 0.0];
        let labels = [true, true, true, false, false, false];
        let m = at_threshold(&scores, &labels, 0.5);
        assert_eq!((m.true_positives, m.false_negatives), (2, 1));
        assert_eq!((m.false_positives, m.true_negatives), (1, 2));
        assert_eq!(m.tpr, Some(2.0 / 3.0));
        assert_eq!(m.fpr, Some(1.0 / 3.0));
        assert_eq!(m.precision, Some(2.0 / 3.0));
        assert!((m.f1.expect("defined") - 2.0 / 3.0).abs() < 1e-12);
        // The threshold itself flags.
        assert_eq!(at_threshold(&[0.5], &[true], 0.5).true_positives, 1);
    }

    #[test]
    fn undefined_rates_are_none() {
        let m = at_threshold(&[0.1, 0.2], &[false, false], 0.5);
        assert_eq!(m.tpr, None);
        assert_eq!(m.precision, None);
        assert_eq!(m.f1, None);
        assert_eq!(m.fpr, Some(0.0));
        assert_eq!(roc_auc(&[0.1, 0.2], &[false, false]), None);
    }

    #[test]
    fn auc_is_one_for_a_perfect_ranking_and_a_half_for_ties() {
        assert_eq!(roc_auc(&[0.9, 0.8, 0.1], &[true, true, false]), Some(1.0));
        assert_eq!(roc_auc(&[0.1, 0.9], &[true, false]), Some(0.0));
        assert_eq!(roc_auc(&[0.5, 0.5], &[true, false]), Some(0.5));
        let m = detector_metrics(&[0.9, 0.1], &[true, false], 0.5);
        assert_eq!(m.sweep.len(), SWEEP.len());
        assert_eq!(m.auc, Some(1.0));
    }
}
