//! Temperature scaling: one scalar `T` that divides every logit, fitted by
//! minimising the negative log-likelihood on examples held out from training.
//! It keeps the predicted label and re-scales how sure the model claims to be.

use crate::linear::negative_log_likelihood;

/// Smallest and largest temperature searched.
pub const MIN_TEMPERATURE: f64 = 0.05;
pub const MAX_TEMPERATURE: f64 = 20.0;

/// Mean negative log-likelihood of `targets` under `softmax(logits / temperature)`.
pub fn mean_nll(logits: &[Vec<f64>], targets: &[usize], temperature: f64) -> f64 {
    if logits.is_empty() {
        return 0.0;
    }
    logits
        .iter()
        .zip(targets)
        .map(|(z, &t)| negative_log_likelihood(z, t, temperature))
        .sum::<f64>()
        / logits.len() as f64
}

/// The temperature in `[MIN_TEMPERATURE, MAX_TEMPERATURE]` minimising the
/// held-out NLL. The NLL is convex in `1/T`, hence unimodal in `ln T`, so a
/// golden-section search on `ln T` finds the minimum. Returns 1.0 when there
/// is nothing to fit on.
pub fn fit_temperature(logits: &[Vec<f64>], targets: &[usize]) -> f64 {
    if logits.is_empty() {
        return 1.0;
    }
    let objective = |log_t: f64| mean_nll(logits, targets, log_t.exp());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut low, mut high) = (MIN_TEMPERATURE.ln(), MAX_TEMPERATURE.ln());
    let mut left = high - ratio * (high - low);
    let mut right = low + ratio * (high - low);
    let (mut f_left, mut f_right) = (objective(left), objective(right));
    for _ in 0..80 {
        if f_left <= f_right {
            high = right;
            right = left;
            f_right = f_left;
            left = high - ratio * (high - low);
            f_left = objective(left);
        } else {
            low = left;
            left = right;
            f_left = f_right;
            right = low + ratio * (high - low);
            f_right = objective(right);
        }
        if high - low < 1e-7 {
            break;
        }
    }
    ((low + high) / 2.0).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_temperature_that_generated_the_labels() {
        // Two labels with logits (s, 0): under temperature T the true
        // probability of label 0 is sigmoid(s / T). Build a data set whose
        // label frequencies follow T = 2.5 exactly and check the fit finds it.
        let true_t = 2.5f64;
        let mut logits = Vec::new();
        let mut targets = Vec::new();
        for s in [1.0f64, 2.0, 4.0, 6.0] {
            let p = 1.0 / (1.0 + (-s / true_t).exp());
            let positives = (p * 1000.0).round() as usize;
            for i in 0..1000 {
                logits.push(vec![s, 0.0]);
                targets.push(if i < positives { 0 } else { 1 });
            }
        }
        let t = fit_temperature(&logits, &targets);
        assert!((t - true_t).abs() < 0.05, "fitted T = {t}");
        assert!(mean_nll(&logits, &targets, t) < mean_nll(&logits, &targets, 1.0));
    }

    #[test]
    fn under_confident_logits_get_a_temperature_below_one() {
        let logits = vec![vec![0.5, 0.0, 0.0]; 50];
        let targets = vec![0; 50];
        assert!(fit_temperature(&logits, &targets) < 1.0);
    }
}
