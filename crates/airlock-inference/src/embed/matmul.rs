//! Safe wrapper over the `gemm` crate's f32 matrix multiply (the kernels
//! candle itself uses), with the thread count passed explicitly per call
//! instead of read from process-wide environment variables.
#![allow(unsafe_code)] // one call into `gemm::gemm`, bounds checked below

use super::loader::Linear;

/// How many threads a matrix multiply may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// Run on the calling thread only.
    One,
    /// Split across `n` threads of the current rayon pool (the caller runs
    /// inside its worker's own pool via `ThreadPool::install`).
    Pool(usize),
}

/// `out = x · layer.w + layer.b` for `rows` rows of `x` (`rows × in_dim`,
/// row-major); `out` is resized to `rows × out_dim`.
pub fn linear_forward(
    x: &[f32],
    rows: usize,
    layer: &Linear,
    out: &mut Vec<f32>,
    threads: Threads,
) {
    let (k, n) = (layer.in_dim, layer.out_dim);
    out.clear();
    for _ in 0..rows {
        out.extend_from_slice(&layer.b);
    }
    assert!(
        x.len() >= rows * k && layer.w.len() == k * n && out.len() == rows * n,
        "linear_forward: operand sizes do not match"
    );
    if rows == 0 {
        return;
    }
    let parallelism = match threads {
        Threads::One => gemm::Parallelism::None,
        Threads::Pool(n) => gemm::Parallelism::Rayon(n),
    };
    // SAFETY: the assert above guarantees every element gemm reads
    // (`x[r*k + c]` for r < rows, c < k; `w[c*n + j]` for c < k, j < n) and
    // writes (`out[r*n + j]`) lies inside its slice; `out` is a distinct
    // `&mut` borrow so nothing aliases the destination.
    unsafe {
        gemm::gemm(
            rows,
            n,
            k,
            out.as_mut_ptr(),
            1,          // dst column stride
            n as isize, // dst row stride
            true,       // read dst: it holds the bias
            x.as_ptr(),
            1,
            k as isize,
            layer.w.as_ptr(),
            1,
            n as isize,
            1.0, // dst = 1 * dst + 1 * x·w
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_product_plus_bias() {
        let (rows, k, n) = (5, 7, 3);
        let x: Vec<f32> = (0..rows * k).map(|i| (i % 5) as f32 - 2.0).collect();
        let w: Vec<f32> = (0..k * n).map(|i| (i % 4) as f32 * 0.5).collect();
        let b = vec![1.0, -1.0, 0.25];
        let layer = Linear {
            w: w.clone(),
            b: b.clone(),
            in_dim: k,
            out_dim: n,
        };
        let mut out = Vec::new();
        linear_forward(&x, rows, &layer, &mut out, Threads::One);
        for r in 0..rows {
            for j in 0..n {
                let want: f32 = b[j] + (0..k).map(|c| x[r * k + c] * w[c * n + j]).sum::<f32>();
                assert!((out[r * n + j] - want).abs() < 1e-5);
            }
        }
    }
}
