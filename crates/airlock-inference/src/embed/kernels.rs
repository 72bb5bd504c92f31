//! Element-wise and row-wise kernels of the BERT forward pass: exact-erf
//! GELU, layer normalisation, softmax and short dot products.
//!
//! Hand-written because candle runs these through a process-wide spinning
//! thread pool we cannot size per worker, and its scalar `erf` was 13% of a
//! profile. The loops are written branch-free so LLVM vectorises them; the
//! public functions run them under `pulp::Arch::dispatch`, which compiles the
//! body for the best instruction set the CPU has (AVX2/AVX-512) and picks it
//! at run time.

/// `e^x` for `x <= 0`-ish inputs in the range used here (clamped to
/// [-87, 88]); relative error below 2e-7, which is float precision.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in a part exactly representable with few bits and the rest,
    // so `k * LN2_HI` is exact (Cody–Waite range reduction).
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding and subtracting 1.5 * 2^23 rounds to the nearest integer
    // without a rounding instruction (vectorises on plain SSE2 too).
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let k = (x * LOG2_E + ROUND) - ROUND;
    let r = (x - k * LN2_HI) - k * LN2_LO; // |r| <= ln2 / 2
                                           // Taylor series of e^r to degree 7: truncation error < 2e-8 on |r| <= 0.35.
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    // 2^k built from its exponent bits; k is in [-126, 127] after the clamp.
    let two_k = f32::from_bits(((k as i32 + 127) as u32) << 23);
    p * two_k
}

/// `erf(x)` by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7),
/// written without branches.
#[inline(always)]
fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A1: f32 = 0.254_829_6;
    const A2: f32 = -0.284_496_74;
    const A3: f32 = 1.421_413_7;
    const A4: f32 = -1.453_152;
    const A5: f32 = 1.061_405_4;
    let z = x.abs();
    let t = 1.0 / (1.0 + P * z);
    let poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
    let y = 1.0 - poly * exp(-z * z);
    y.copysign(x)
}

/// BERT's exact GELU, `x/2 · (1 + erf(x/√2))`, in place.
pub fn gelu_in_place(xs: &mut [f32]) {
    pulp::Arch::new().dispatch(|| {
        for x in xs.iter_mut() {
            let v = *x;
            *x = 0.5 * v * (1.0 + erf(v * std::f32::consts::FRAC_1_SQRT_2));
        }
    });
}

/// `x += residual`, then layer-normalises each row of `x` (rows of
/// `gamma.len()` values) in place.
pub fn add_layer_norm_rows(
    x: &mut [f32],
    residual: Option<&[f32]>,
    gamma: &[f32],
    beta: &[f32],
    eps: f32,
) {
    let dim = gamma.len();
    pulp::Arch::new().dispatch(|| {
        if let Some(residual) = residual {
            for (a, b) in x.iter_mut().zip(residual) {
                *a += b;
            }
        }
        for row in x.chunks_exact_mut(dim) {
            let mean = sum(row) / dim as f32;
            let mut var_acc = [0.0f32; 16];
            let mut chunks = row.chunks_exact(16);
            for c in &mut chunks {
                for (acc, v) in var_acc.iter_mut().zip(c) {
                    let d = v - mean;
                    *acc += d * d;
                }
            }
            let mut var: f32 = var_acc.iter().sum();
            for v in chunks.remainder() {
                var += (v - mean) * (v - mean);
            }
            let inv_std = 1.0 / (var / dim as f32 + eps).sqrt();
            for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
                *v = (*v - mean) * inv_std * g + b;
            }
        }
    });
}

/// Sum with 16 independent accumulators (so it vectorises without
/// reassociation by the compiler).
#[inline(always)]
fn sum(xs: &[f32]) -> f32 {
    let mut acc = [0.0f32; 16];
    let mut chunks = xs.chunks_exact(16);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// Dot product of two equally long slices, 8 lanes at a time.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

/// `y += a · x`.
#[inline(always)]
pub fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// Softmax of `xs` in place.
#[inline(always)]
pub fn softmax_in_place(xs: &mut [f32]) {
    let max = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut total = 0.0;
    for x in xs.iter_mut() {
        *x = exp(*x - max);
        total += *x;
    }
    let inv = 1.0 / total;
    for x in xs.iter_mut() {
        *x *= inv;
    }
}

/// Runs `f` compiled for the best SIMD instruction set available.
pub fn with_simd<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf by its Taylor series (converges fast for |x| <= 3), in f64.
    fn erf_reference(x: f64) -> f64 {
        let mut term = x;
        let mut total = x;
        for n in 1..200 {
            term *= -x * x / n as f64;
            total += term / (2 * n + 1) as f64;
        }
        total * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn exp_matches_std_to_float_precision() {
        for i in -800..=100 {
            let x = i as f32 * 0.1;
            let got = exp(x);
            let want = x.exp();
            assert!(
                (got - want).abs() <= want * 4e-7,
                "exp({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn erf_matches_series() {
        for i in -300..=300 {
            let x = i as f32 * 0.01;
            let got = erf(x) as f64;
            let want = erf_reference(x as f64);
            assert!((got - want).abs() < 3e-7, "erf({x}) = {got}, want {want}");
        }
        assert_eq!(erf(10.0), 1.0);
        assert_eq!(erf(-10.0), -1.0);
    }

    #[test]
    fn gelu_known_values() {
        let mut xs = vec![0.0, 1.0, -1.0, 3.0];
        gelu_in_place(&mut xs);
        // 0.5 * x * (1 + erf(x / sqrt 2))
        let want = [0.0, 0.841_344_7, -0.158_655_25, 2.995_950_3];
        for (g, w) in xs.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{g} vs {w}");
        }
    }

    #[test]
    fn layer_norm_gives_zero_mean_unit_variance() {
        let mut x: Vec<f32> = (0..40).map(|i| (i * 7 % 11) as f32).collect();
        let residual: Vec<f32> = (0..40).map(|i| i as f32 * 0.5).collect();
        let gamma = vec![1.0; 20];
        let beta = vec![0.0; 20];
        add_layer_norm_rows(&mut x, Some(&residual), &gamma, &beta, 1e-12);
        for row in x.chunks(20) {
            let mean: f32 = row.iter().sum::<f32>() / 20.0;
            let var: f32 = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / 20.0;
            assert!(mean.abs() < 1e-5, "mean {mean}");
            assert!((var - 1.0).abs() < 1e-4, "var {var}");
        }
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut xs = vec![1.0, 3.0, 2.0, -50.0, 0.5];
        softmax_in_place(&mut xs);
        let total: f32 = xs.iter().sum();
        assert!((total - 1.0).abs() < 1e-6);
        assert!(xs[1] > xs[2] && xs[2] > xs[0] && xs[0] > xs[4] && xs[4] > xs[3]);
    }

    #[test]
    fn dot_handles_tails() {
        let a: Vec<f32> = (0..19).map(|i| i as f32).collect();
        let b: Vec<f32> = (0..19).map(|i| (i % 3) as f32).collect();
        let want: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), want);
    }
}
