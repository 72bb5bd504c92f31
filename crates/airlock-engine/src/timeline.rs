//! A workflow's runs over time, for the dashboard's charts: per time
//! bucket, how many runs there were, their decision mix and latency
//! percentiles.
//!
//! Computed from the run history page by page (keyset pages of the store's
//! run listing), so it is exact and the same on every backend; a window
//! holding more than [`TIMELINE_MAX_RUNS`] runs is cut at that many of the
//! newest and says so (`truncated`).

use std::time::Duration;

use airlock_core::{Error, Result, Timestamp};
use airlock_store::RunFilter;

use crate::engine::Engine;
use crate::quality::DecisionTally;

/// Most runs one timeline reads.
pub const TIMELINE_MAX_RUNS: usize = 100_000;
/// Most buckets one timeline answers.
pub const TIMELINE_MAX_BUCKETS: u64 = 1_000;

/// One bucket: `[start, start + bucket)`; the newest also holds any run
/// stamped at or after `until`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineBucket {
    pub start: Timestamp,
    /// The bucket's runs by decision (their total is its run count).
    pub decisions: DecisionTally,
    /// Latency percentiles of the bucket's runs (ms); `None` when empty.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Buckets from `since` to now, oldest first, every bucket present.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub workflow: String,
    pub since: Timestamp,
    pub bucket: Duration,
    pub buckets: Vec<TimelineBucket>,
    /// Whether more runs than [`TIMELINE_MAX_RUNS`] fell in the window.
    pub truncated: bool,
}

impl Engine {
    /// The timeline of workflow `name` from `since` to `until` in buckets
    /// of `bucket` (at most [`TIMELINE_MAX_BUCKETS`]).
    pub async fn timeline(
        &self,
        name: &str,
        since: Timestamp,
        until: Timestamp,
        bucket: Duration,
    ) -> Result<Timeline> {
        self.workflow(name)?;
        let bucket_ms = bucket.as_millis() as i64;
        if bucket_ms <= 0 {
            return Err(
                Error::invalid_input("the bucket must be at least 1 ms").with_field("bucket")
            );
        }
        let span = until.unix_ms() - since.unix_ms();
        if span <= 0 {
            return Err(Error::invalid_input("since must be before now").with_field("since"));
        }
        let count = (span + bucket_ms - 1) / bucket_ms;
        if count as u64 > TIMELINE_MAX_BUCKETS {
            return Err(Error::invalid_input(format!(
                "the window holds {count} buckets, more than the {TIMELINE_MAX_BUCKETS} answered"
            ))
            .with_field("bucket")
            .with_hint("choose a larger bucket or a later since"));
        }
        let mut latencies: Vec<Vec<f64>> = vec![Vec::new(); count as usize];
        let mut buckets: Vec<TimelineBucket> = (0..count)
            .map(|i| {
                Ok(TimelineBucket {
                    start: Timestamp::from_unix_ms(since.unix_ms() + i * bucket_ms)?,
                    decisions: DecisionTally::default(),
                    p50_ms: None,
                    p99_ms: None,
                })
            })
            .collect::<Result<_>>()?;
        let mut seen = 0usize;
        let mut truncated = false;
        let mut filter = RunFilter {
            workflow: Some(name.to_string()),
            since: Some(since),
            limit: Some(1000),
            ..RunFilter::default()
        };
        'pages: loop {
            let page = self.list_runs(&filter).await?;
            for run in &page.items {
                if seen == TIMELINE_MAX_RUNS {
                    truncated = true;
                    break 'pages;
                }
                seen += 1;
                let at = run.created_at.unix_ms() - since.unix_ms();
                if at < 0 {
                    continue;
                }
                // A run stamped at or after `until` (the same millisecond as
                // the request, or a wall clock that stepped back since it
                // was recorded) counts in the newest bucket: it happened,
                // and the chart must not lose it.
                let i = ((at / bucket_ms) as usize).min(buckets.len() - 1);
                buckets[i].decisions.add(run.decision, 1);
                latencies[i].push(run.latency_us as f64 / 1000.0);
            }
            match page.next_cursor {
                Some(cursor) => filter.cursor = Some(cursor),
                None => break,
            }
        }
        for (bucket, mut values) in buckets.iter_mut().zip(latencies) {
            values.sort_by(f64::total_cmp);
            bucket.p50_ms = percentile(&values, 0.50);
            bucket.p99_ms = percentile(&values, 0.99);
        }
        Ok(Timeline {
            workflow: name.to_string(),
            since,
            bucket,
            buckets,
            truncated,
        })
    }
}

/// The nearest-rank percentile `q` of sorted `values`.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.50), Some(50.0));
        assert_eq!(percentile(&values, 0.99), Some(99.0));
        assert_eq!(percentile(&[7.0], 0.99), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
