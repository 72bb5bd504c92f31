//! Collects outcomes from the request tasks: a latency histogram of the
//! successes and a count of each kind of failure.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// How a counted request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A 2xx response whose body was read in full.
    Ok,
    /// A non-2xx status.
    Status(u16),
    /// A failure before a full response: `timeout`, `connect`, `body`,
    /// `request`, or `dropped` (over the in-flight cap).
    Failed(&'static str),
}

#[derive(Debug, Clone)]
pub(crate) struct Tally {
    pub latency_us: Histogram<u64>,
    pub ok: u64,
    pub errors: BTreeMap<String, u64>,
    /// When the last counted request finished.
    pub last_done: Option<Instant>,
}

/// Shared by every request task; the lock is held only to add one outcome.
#[derive(Debug)]
pub(crate) struct Recorder {
    tally: Mutex<Tally>,
}

impl Recorder {
    pub(crate) fn new() -> Self {
        let latency_us = Histogram::new_with_bounds(1, 600_000_000, 3)
            .expect("1 µs to 10 min at three significant digits are valid bounds");
        Self {
            tally: Mutex::new(Tally {
                latency_us,
                ok: 0,
                errors: BTreeMap::new(),
                last_done: None,
            }),
        }
    }

    pub(crate) fn record(&self, outcome: Outcome, latency: Duration) {
        let now = Instant::now();
        let mut tally = self
            .tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tally.last_done = Some(tally.last_done.map_or(now, |last| last.max(now)));
        match outcome {
            Outcome::Ok => {
                tally.ok += 1;
                let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
                tally.latency_us.saturating_record(micros.max(1));
            }
            Outcome::Status(status) => {
                *tally.errors.entry(format!("status_{status}")).or_default() += 1
            }
            Outcome::Failed(kind) => *tally.errors.entry(kind.to_owned()).or_default() += 1,
        }
    }

    /// What has been recorded so far.
    pub(crate) fn snapshot(&self) -> Tally {
        self.tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
