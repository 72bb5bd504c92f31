//! The multinomial (softmax) linear model: per-label weight rows and biases,
//! logits for an embedding, and temperature-scaled probabilities.

use airlock_core::{Error, Result};

/// A linear scorer over `dimension`-long embeddings for `label_count` labels.
/// `weights` is row-major, one row of `dimension` values per label.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub label_count: usize,
    pub dimension: usize,
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
}

impl LinearModel {
    /// Checks that the weight and bias shapes match the declared sizes.
    pub fn new(
        label_count: usize,
        dimension: usize,
        weights: Vec<f32>,
        bias: Vec<f32>,
    ) -> Result<LinearModel> {
        if weights.len() != label_count * dimension || bias.len() != label_count {
            return Err(Error::internal(format!(
                "linear model shape mismatch: {} weights and {} biases for {label_count} labels × {dimension} dimensions",
                weights.len(),
                bias.len()
            )));
        }
        Ok(LinearModel {
            label_count,
            dimension,
            weights,
            bias,
        })
    }

    /// One logit per label. Accumulates in f64 so results do not depend on
    /// summation tricks; `embedding.len()` must equal `dimension`.
    pub fn logits(&self, embedding: &[f32]) -> Result<Vec<f64>> {
        if embedding.len() != self.dimension {
            return Err(Error::invalid_input(format!(
                "embedding has {} dimensions but the classifier expects {}",
                embedding.len(),
                self.dimension
            ))
            .with_hint("use the same embedding model the classifier was trained with"));
        }
        Ok(self
            .weights
            .chunks_exact(self.dimension)
            .zip(&self.bias)
            .map(|(row, bias)| {
                row.iter()
                    .zip(embedding)
                    .map(|(w, x)| f64::from(*w) * f64::from(*x))
                    .sum::<f64>()
                    + f64::from(*bias)
            })
            .collect())
    }
}

/// Softmax of `logits / temperature`, computed stably.
pub fn softmax_with_temperature(logits: &[f64], temperature: f64) -> Vec<f64> {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps = logits
        .iter()
        .map(|z| ((z - max) / temperature).exp())
        .collect::<Vec<_>>();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// `-ln softmax(logits / temperature)[target]`, computed stably.
pub fn negative_log_likelihood(logits: &[f64], target: usize, temperature: f64) -> f64 {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_sum = logits
        .iter()
        .map(|z| ((z - max) / temperature).exp())
        .sum::<f64>()
        .ln();
    log_sum - (logits[target] - max) / temperature
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logits_are_weights_dot_embedding_plus_bias() {
        let model = LinearModel::new(2, 3, vec![1.0, 0.0, 2.0, 0.0, -1.0, 0.5], vec![0.5, -1.0])
            .expect("shape");
        let logits = model.logits(&[1.0, 2.0, 3.0]).expect("dims");
        assert_eq!(logits, vec![7.5, -1.5]);
        assert!(model.logits(&[1.0]).is_err());
    }

    #[test]
    fn temperature_flattens_probabilities() {
        let sharp = softmax_with_temperature(&[2.0, 0.0], 1.0);
        let flat = softmax_with_temperature(&[2.0, 0.0], 4.0);
        assert!((sharp[0] - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-12);
        assert!(flat[0] < sharp[0] && flat[0] > 0.5);
        assert!((flat.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let nll = negative_log_likelihood(&[2.0, 0.0], 0, 1.0);
        assert!((nll + sharp[0].ln()).abs() < 1e-12);
    }
}
