//! Fitting L2-regularised softmax regression by full-batch L-BFGS (the
//! `argmin` crate). The loss and its gradient are computed together with two
//! matrix products per evaluation (`ndarray`, backed by `matrixmultiply`),
//! so 10k × 384 × 77 trains in seconds on one core.

use crate::linear::LinearModel;
use airlock_core::{Error, Result};
use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::{Array2, ArrayView2, Axis};
use std::sync::Mutex;

/// How to fit the weights.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Strength of the L2 penalty `l2/2 · ‖W‖²` added to the mean cross-entropy.
    pub l2: f64,
    /// Maximum L-BFGS iterations over the full data set.
    pub max_iterations: u64,
    /// Standardise each embedding dimension (zero mean, unit variance) while
    /// fitting; the scaling is folded back into the returned weights.
    pub standardize: bool,
}

/// What the optimiser did.
#[derive(Debug, Clone, PartialEq)]
pub struct FitSummary {
    pub iterations: u64,
    pub final_loss: f64,
}

/// Fits a linear softmax model to `rows` (n × d, row-major) with label ids `targets`.
pub fn fit_softmax(
    rows: Array2<f32>,
    targets: &[usize],
    label_count: usize,
    options: &FitOptions,
) -> Result<(LinearModel, FitSummary)> {
    let (n, dimension) = rows.dim();
    if n == 0 || n != targets.len() || targets.iter().any(|&t| t >= label_count) {
        return Err(Error::internal(format!(
            "fit_softmax: {n} rows, {} targets, {label_count} labels",
            targets.len()
        )));
    }
    let (rows, mean, scale) = if options.standardize {
        standardized(rows)
    } else {
        (rows, vec![0.0; dimension], vec![1.0; dimension])
    };
    let objective = SoftmaxObjective {
        rows,
        targets: targets.to_vec(),
        label_count,
        l2: options.l2,
        cache: Mutex::new(None),
    };
    let start = vec![0.0f64; label_count * dimension + label_count];
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(1e-6)
        .and_then(|s| s.with_tolerance_cost(1e-10))
        .map_err(|e| Error::internal(format!("L-BFGS set-up failed: {e}")))?;
    let result = Executor::new(objective, solver)
        .configure(|state| state.param(start).max_iters(options.max_iterations))
        .run()
        .map_err(|e| Error::internal(format!("training did not converge: {e}")))?;
    let state = result.state();
    let params = state
        .get_best_param()
        .ok_or_else(|| Error::internal("L-BFGS returned no parameters"))?;
    let summary = FitSummary {
        iterations: state.get_iter(),
        final_loss: state.get_best_cost(),
    };
    // Fold standardisation back: w·((x - m)/s) + b = (w/s)·x + (b - Σ w m / s).
    let mut weights = Vec::with_capacity(label_count * dimension);
    let mut bias = Vec::with_capacity(label_count);
    for label in 0..label_count {
        let row = &params[label * dimension..(label + 1) * dimension];
        let mut shift = 0.0f64;
        for j in 0..dimension {
            let w = row[j] / scale[j];
            shift += w * mean[j];
            weights.push(w as f32);
        }
        bias.push((params[label_count * dimension + label] - shift) as f32);
    }
    Ok((
        LinearModel::new(label_count, dimension, weights, bias)?,
        summary,
    ))
}

fn standardized(mut rows: Array2<f32>) -> (Array2<f32>, Vec<f64>, Vec<f64>) {
    let n = rows.nrows() as f64;
    let mut mean = vec![0.0f64; rows.ncols()];
    let mut scale = vec![1.0f64; rows.ncols()];
    for (j, column) in rows.columns().into_iter().enumerate() {
        let m = column.iter().map(|v| f64::from(*v)).sum::<f64>() / n;
        let var = column
            .iter()
            .map(|v| (f64::from(*v) - m).powi(2))
            .sum::<f64>()
            / n;
        mean[j] = m;
        scale[j] = if var > 1e-12 { var.sqrt() } else { 1.0 };
    }
    for mut row in rows.rows_mut() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = ((f64::from(*v) - mean[j]) / scale[j]) as f32;
        }
    }
    (rows, mean, scale)
}

/// Mean cross-entropy + `l2/2 ‖W‖²` over parameters laid out as W (k × d,
/// row-major) followed by b (k). The last evaluation is cached because
/// L-BFGS asks for the cost and the gradient at the same point.
struct SoftmaxObjective {
    rows: Array2<f32>,
    targets: Vec<usize>,
    label_count: usize,
    l2: f64,
    cache: Mutex<Option<Evaluation>>,
}

/// Parameters, loss and gradient of one evaluation.
struct Evaluation {
    params: Vec<f64>,
    cost: f64,
    gradient: Vec<f64>,
}

impl SoftmaxObjective {
    fn evaluate(&self, params: &[f64]) -> (f64, Vec<f64>) {
        if let Ok(cache) = self.cache.lock() {
            if let Some(hit) = cache.as_ref().filter(|c| c.params.as_slice() == params) {
                return (hit.cost, hit.gradient.clone());
            }
        }
        let (cost, grad) = self.compute(params);
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Some(Evaluation {
                params: params.to_vec(),
                cost,
                gradient: grad.clone(),
            });
        }
        (cost, grad)
    }

    fn compute(&self, params: &[f64]) -> (f64, Vec<f64>) {
        let (n, d) = self.rows.dim();
        let k = self.label_count;
        let weights_f32: Vec<f32> = params[..k * d].iter().map(|&w| w as f32).collect();
        let weights = ArrayView2::from_shape((k, d), &weights_f32)
            .expect("parameter vector length is k*d + k by construction");
        let bias = &params[k * d..];
        // Z = X Wᵀ (n × k); turned in place into G = (softmax(Z) - onehot(y)) / n.
        let mut scores = self.rows.dot(&weights.t());
        let mut data_loss = 0.0f64;
        let inv_n = 1.0 / n as f64;
        let mut probs = vec![0.0f64; k];
        for (mut row, &target) in scores.rows_mut().into_iter().zip(&self.targets) {
            let mut max = f64::NEG_INFINITY;
            for (p, (z, b)) in probs.iter_mut().zip(row.iter().zip(bias)) {
                *p = f64::from(*z) + b;
                max = max.max(*p);
            }
            let mut sum = 0.0;
            for p in probs.iter_mut() {
                *p = (*p - max).exp();
                sum += *p;
            }
            data_loss += sum.ln() - (probs[target].ln());
            for (g, p) in row.iter_mut().zip(&probs) {
                *g = (p / sum * inv_n) as f32;
            }
            row[target] -= inv_n as f32;
        }
        let grad_w = scores.t().dot(&self.rows); // k × d
        let grad_b = scores.sum_axis(Axis(0));
        let mut grad = Vec::with_capacity(k * d + k);
        let mut penalty = 0.0f64;
        for (g, w) in grad_w.iter().zip(&params[..k * d]) {
            grad.push(f64::from(*g) + self.l2 * w);
            penalty += w * w;
        }
        grad.extend(grad_b.iter().map(|g| f64::from(*g)));
        (data_loss * inv_n + 0.5 * self.l2 * penalty, grad)
    }
}

impl CostFunction for SoftmaxObjective {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, params: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.evaluate(params).0)
    }
}

impl Gradient for SoftmaxObjective {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, params: &Self::Param) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self.evaluate(params).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let rows = Array2::from_shape_vec(
            (4, 3),
            vec![
                0.5, -1.0, 0.2, 1.5, 0.3, -0.7, -0.4, 0.9, 1.1, 0.0, -0.2, 0.6,
            ],
        )
        .expect("shape");
        let objective = SoftmaxObjective {
            rows,
            targets: vec![0, 1, 2, 1],
            label_count: 3,
            l2: 0.1,
            cache: Mutex::new(None),
        };
        let params: Vec<f64> = (0..12).map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.1).collect();
        let (_, grad) = objective.compute(&params);
        for i in 0..params.len() {
            let h = 1e-3;
            let mut up = params.clone();
            up[i] += h;
            let mut down = params.clone();
            down[i] -= h;
            let numeric = (objective.compute(&up).0 - objective.compute(&down).0) / (2.0 * h);
            assert!(
                (numeric - grad[i]).abs() < 1e-4,
                "param {i}: numeric {numeric} vs analytic {}",
                grad[i]
            );
        }
    }
}
