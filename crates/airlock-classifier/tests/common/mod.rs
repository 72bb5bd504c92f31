//! Synthetic labelled embeddings for the classifier's tests: Gaussian
//! clusters around random centres, with optional label noise.

use rand::{Rng, SeedableRng};

/// A labelled synthetic data set.
pub struct Synthetic {
    pub embeddings: Vec<Vec<f32>>,
    pub labels: Vec<String>,
}

/// Draws cluster centres for `label_count` labels in `dimension` dimensions
/// (uniform in [-1, 1]), fixed by `seed`.
pub fn centres(label_count: usize, dimension: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..label_count)
        .map(|_| {
            (0..dimension)
                .map(|_| rng.random_range(-1.0..1.0))
                .collect()
        })
        .collect()
}

/// `per_label` points around each centre with Gaussian noise of standard
/// deviation `spread`; with probability `label_noise` a point's label is
/// replaced by a uniformly drawn one.
pub fn sample(
    centres: &[Vec<f64>],
    per_label: usize,
    spread: f64,
    label_noise: f64,
    seed: u64,
) -> Synthetic {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut data = Synthetic {
        embeddings: Vec::new(),
        labels: Vec::new(),
    };
    for (label, centre) in centres.iter().enumerate() {
        for _ in 0..per_label {
            let point = centre
                .iter()
                .map(|c| (c + spread * gaussian(&mut rng)) as f32)
                .collect();
            let shown = if rng.random::<f64>() < label_noise {
                rng.random_range(0..centres.len())
            } else {
                label
            };
            data.embeddings.push(point);
            data.labels.push(format!("label_{shown}"));
        }
    }
    data
}

/// A standard normal draw (Box–Muller); `rand` itself has no normal distribution.
fn gaussian(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}
