//! Names and labels of the metrics the dispatcher emits through the
//! `metrics` facade (operator-facing: dashboards and alerts use them).

/// Counter: delivery attempts by what they led to; labels `endpoint`,
/// `event` and `result` (`delivered`, `retrying` or `failed`, the last
/// meaning the delivery was given up).
pub const DELIVERIES_TOTAL: &str = "airlock_webhook_deliveries_total";
/// Histogram (seconds): one attempt's wall time, label `endpoint`.
pub const ATTEMPT_DURATION_SECONDS: &str = "airlock_webhook_attempt_duration_seconds";

/// Every histogram above, for recorders that need bucket configuration.
pub const HISTOGRAMS: &[&str] = &[ATTEMPT_DURATION_SECONDS];
