//! Names of the metrics the store emits through the `metrics` facade: how
//! the group committer batches and how long callers wait for it. Part of
//! the operator-facing API (`GET /metrics`), so they live in one place.

/// Counter: transactions the group committer committed.
pub const COMMITS_TOTAL: &str = "airlock_store_commits_total";
/// Counter: records (runs, quarantined inputs, audit writes) in them.
pub const COMMITTED_RECORDS_TOTAL: &str = "airlock_store_committed_records_total";
/// Histogram (records): records per committed transaction.
pub const COMMIT_BATCH_SIZE: &str = "airlock_store_commit_batch_size";
/// Histogram (seconds): one batch's write and commit (its `fsync` at
/// `fsync` durability, and a WAL checkpoint SQLite runs inside it).
pub const COMMIT_DURATION_SECONDS: &str = "airlock_store_commit_duration_seconds";
/// Histogram (seconds): from a caller handing a record to the committer to
/// its answer: queueing behind other batches plus its own commit.
pub const COMMIT_WAIT_SECONDS: &str = "airlock_store_commit_wait_seconds";

/// Every histogram above measured in seconds, for recorders that need
/// bucket configuration.
pub const DURATION_HISTOGRAMS: &[&str] = &[COMMIT_DURATION_SECONDS, COMMIT_WAIT_SECONDS];

/// Bucket upper bounds (seconds) for [`DURATION_HISTOGRAMS`]: 10 µs to 5 s,
/// finer than request latencies, since a commit without `fsync` takes tens
/// of microseconds.
pub const DURATION_BUCKETS: &[f64] = &[
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Bucket upper bounds for [`COMMIT_BATCH_SIZE`].
pub const BATCH_SIZE_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
