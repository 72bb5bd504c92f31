//! Counters of the group committer: how many transactions it committed and
//! how many records went into each, so benchmarks can show the batching
//! that keeps durable inserts fast. Every batch is also reported through
//! the `metrics` facade ([`crate::metrics_names`]), which `GET /metrics`
//! renders.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::metrics_names as m;

/// Upper bounds (inclusive) of the batch-size histogram buckets; the last
/// bucket holds everything larger.
const BUCKET_BOUNDS: [u64; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/// Live counters, updated by the writer task after every commit.
#[derive(Debug, Default)]
pub struct GroupCommitStats {
    batches: AtomicU64,
    records: AtomicU64,
    max_batch: AtomicU64,
    buckets: [AtomicU64; BUCKET_BOUNDS.len() + 1],
}

impl GroupCommitStats {
    /// Records one committed transaction of `size` records that took
    /// `took` to write and commit.
    pub(crate) fn record_batch(&self, size: usize, took: Duration) {
        metrics::counter!(m::COMMITS_TOTAL).increment(1);
        metrics::counter!(m::COMMITTED_RECORDS_TOTAL).increment(size as u64);
        metrics::histogram!(m::COMMIT_BATCH_SIZE).record(size as f64);
        metrics::histogram!(m::COMMIT_DURATION_SECONDS).record(took.as_secs_f64());
        let size = size as u64;
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.records.fetch_add(size, Ordering::Relaxed);
        self.max_batch.fetch_max(size, Ordering::Relaxed);
        let bucket = BUCKET_BOUNDS
            .iter()
            .position(|&bound| size <= bound)
            .unwrap_or(BUCKET_BOUNDS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
    }

    /// A consistent-enough copy of the counters (each read is atomic).
    pub fn snapshot(&self) -> GroupCommitSnapshot {
        let mut histogram = Vec::with_capacity(self.buckets.len());
        for (index, count) in self.buckets.iter().enumerate() {
            let upper = BUCKET_BOUNDS.get(index).copied();
            histogram.push((upper, count.load(Ordering::Relaxed)));
        }
        GroupCommitSnapshot {
            batches: self.batches.load(Ordering::Relaxed),
            records: self.records.load(Ordering::Relaxed),
            max_batch_size: self.max_batch.load(Ordering::Relaxed),
            histogram,
        }
    }
}

/// Counters at one moment. Subtract two snapshots to measure an interval.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupCommitSnapshot {
    /// Committed transactions.
    pub batches: u64,
    /// Records (runs and quarantined inputs) in them.
    pub records: u64,
    pub max_batch_size: u64,
    /// `(upper bound inclusive, or None for "larger", batches)` per bucket.
    pub histogram: Vec<(Option<u64>, u64)>,
}

impl GroupCommitSnapshot {
    /// Mean records per committed transaction (0 when none committed).
    pub fn mean_batch_size(&self) -> f64 {
        if self.batches == 0 {
            0.0
        } else {
            self.records as f64 / self.batches as f64
        }
    }

    /// The counts accumulated between `earlier` and `self` (the maximum is
    /// the overall one, since a maximum cannot be subtracted).
    pub fn since(&self, earlier: &GroupCommitSnapshot) -> GroupCommitSnapshot {
        GroupCommitSnapshot {
            batches: self.batches.saturating_sub(earlier.batches),
            records: self.records.saturating_sub(earlier.records),
            max_batch_size: self.max_batch_size,
            histogram: self
                .histogram
                .iter()
                .zip(&earlier.histogram)
                .map(|((bound, now), (_, before))| (*bound, now.saturating_sub(*before)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_land_in_their_buckets_and_the_mean_follows() {
        let stats = GroupCommitStats::default();
        stats.record_batch(1, Duration::ZERO);
        stats.record_batch(3, Duration::ZERO);
        stats.record_batch(500, Duration::ZERO);
        let snap = stats.snapshot();
        assert_eq!(snap.batches, 3);
        assert_eq!(snap.records, 504);
        assert_eq!(snap.max_batch_size, 500);
        assert_eq!(snap.histogram[0], (Some(1), 1));
        assert_eq!(snap.histogram[2], (Some(4), 1));
        assert_eq!(snap.histogram.last().copied(), Some((None, 1)));
        assert!((snap.mean_batch_size() - 168.0).abs() < 1e-9);

        stats.record_batch(2, Duration::ZERO);
        let delta = stats.snapshot().since(&snap);
        assert_eq!((delta.batches, delta.records), (1, 2));
        assert_eq!(delta.histogram[1], (Some(2), 1));
    }
}
