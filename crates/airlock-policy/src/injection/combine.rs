//! Combining the heuristic score with the learned detector's probability
//! into the one score the guard step compares with its threshold.
//!
//! The rule is noisy-or with the model's probability at half weight,
//! `1 − (1 − h)(1 − m/2)`: the model is one more piece of evidence, like a
//! heuristic rule of weight `m/2`. Its probability alone reaches at most
//! 0.5, so at the default threshold it cannot flag a text by itself (on
//! prompts unlike its training data it is often wrong), but it turns a
//! weak heuristic cue into a flag (a 0.3 cue and `m = 0.6` give 0.51) and
//! adds to strong ones. Chosen over `max(h, m)`, plain noisy-or and the
//! mean by the evaluation in docs/injection.md.

use super::heuristics::{noisy_or, HeuristicReport};

/// Weight of the learned detector's probability in the noisy-or.
pub const MODEL_WEIGHT: f64 = 0.5;

/// How [`combine`] merges the scores, for reports.
pub const COMBINATION: &str = "noisy-or(heuristics, 0.5 x model)";
use serde::Serialize;

/// The guard's verdict on one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InjectionScore {
    /// Combined score in [0, 1]; the engine compares it with the threshold.
    pub score: f64,
    /// The heuristics' score alone.
    pub heuristic_score: f64,
    /// The learned detector's calibrated probability of `injection`, when
    /// it ran.
    pub model_score: Option<f64>,
    /// Names of the heuristic rules that matched (for the run record).
    pub matched: Vec<String>,
}

/// Combines `report` with the learned detector's probability (see the
/// module doc); without a probability the score is the heuristic score.
/// A probability outside [0, 1] (or NaN) is clamped (NaN counts as 0).
pub fn combine(report: &HeuristicReport, model_probability: Option<f64>) -> InjectionScore {
    let model_score = model_probability.map(|p| if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) });
    let score = match model_score {
        Some(m) => noisy_or([report.score, MODEL_WEIGHT * m]),
        None => report.score,
    };
    InjectionScore {
        score,
        heuristic_score: report.score,
        model_score,
        matched: report.matched.iter().map(|s| s.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(score: f64, matched: &[&'static str]) -> HeuristicReport {
        HeuristicReport {
            score,
            matched: matched.to_vec(),
        }
    }

    #[test]
    fn without_a_model_the_heuristic_score_is_the_score() {
        let s = combine(&report(0.8, &["role-marker"]), None);
        assert_eq!(s.score, 0.8);
        assert_eq!(s.model_score, None);
        assert_eq!(s.matched, vec!["role-marker".to_string()]);
    }

    #[test]
    fn the_model_counts_at_half_weight_and_needs_company_to_flag() {
        let alone = combine(&report(0.0, &[]), Some(0.98)).score;
        assert!((alone - 0.49).abs() < 1e-12, "{alone}");
        assert!(alone < crate::injection::DEFAULT_THRESHOLD);
        assert!((combine(&report(0.9, &["x"]), Some(0.0)).score - 0.9).abs() < 1e-12);
        // A weak cue (0.3) with a fairly sure model crosses the threshold.
        let both = combine(&report(0.3, &["x"]), Some(0.6)).score;
        assert!((both - 0.51).abs() < 1e-12, "{both}");
        assert!(both >= crate::injection::DEFAULT_THRESHOLD);
        assert_eq!(combine(&report(0.0, &[]), Some(0.0)).score, 0.0);
    }

    #[test]
    fn out_of_range_probabilities_are_clamped() {
        assert_eq!(combine(&report(0.0, &[]), Some(1.7)).score, 0.5);
        assert_eq!(
            combine(&report(0.2, &[]), Some(-0.5)).model_score,
            Some(0.0)
        );
        assert!((combine(&report(0.2, &[]), Some(f64::NAN)).score - 0.2).abs() < 1e-12);
    }
}
