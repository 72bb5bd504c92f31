//! Stratified, seeded splitting of example indices, so every label appears
//! in both the part a model is trained on and the part held out from it.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::collections::BTreeMap;

/// Indices of the examples to train on and of those held out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub held_out: Vec<usize>,
}

/// Splits example indices by label: of each label's `n` examples,
/// `round(n * fraction)` clamped to `1..=n-1` are held out. Labels with a
/// single example go to the training part only (callers reject those
/// earlier when a held-out example of every label is required).
/// The result is deterministic for a given `seed`.
pub fn stratified_split(label_ids: &[usize], fraction: f64, seed: u64) -> Split {
    let mut by_label: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, label) in label_ids.iter().enumerate() {
        by_label.entry(*label).or_default().push(index);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut split = Split {
        train: Vec::new(),
        held_out: Vec::new(),
    };
    for (_, mut indices) in by_label {
        indices.shuffle(&mut rng);
        let n = indices.len();
        let held = if n < 2 {
            0
        } else {
            ((n as f64 * fraction).round() as usize).clamp(1, n - 1)
        };
        split.held_out.extend_from_slice(&indices[..held]);
        split.train.extend_from_slice(&indices[held..]);
    }
    split.train.sort_unstable();
    split.held_out.sort_unstable();
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_on_both_sides() {
        let labels = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2];
        let split = stratified_split(&labels, 0.1, 7);
        for label in 0..3 {
            assert!(split.train.iter().any(|&i| labels[i] == label));
            assert!(split.held_out.iter().any(|&i| labels[i] == label));
        }
        // label 1 has 10 examples → exactly one held out.
        assert_eq!(
            split.held_out.iter().filter(|&&i| labels[i] == 1).count(),
            1
        );
        let mut all = split.train.clone();
        all.extend(&split.held_out);
        all.sort_unstable();
        assert_eq!(all, (0..labels.len()).collect::<Vec<_>>());
    }

    #[test]
    fn same_seed_same_split_other_seed_differs() {
        let labels: Vec<usize> = (0..200).map(|i| i % 4).collect();
        let a = stratified_split(&labels, 0.25, 1);
        let b = stratified_split(&labels, 0.25, 1);
        let c = stratified_split(&labels, 0.25, 2);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.held_out.len(), 52); // round(50 * 0.25) = 13 per label
    }
}
