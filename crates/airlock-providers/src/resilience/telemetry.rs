//! The metrics the resilience layer emits through the `metrics` facade.

use std::time::Duration;

use super::breaker::BreakerState;

/// One finished attempt: `outcome` is `ok` or a failure kind's name.
pub(super) fn attempt(provider: &str, model: &str, outcome: &'static str, took: Duration) {
    let provider = provider.to_owned();
    let model = model.to_owned();
    metrics::counter!(
        "airlock_provider_attempts_total",
        "provider" => provider.clone(),
        "model" => model.clone(),
        "outcome" => outcome
    )
    .increment(1);
    metrics::histogram!(
        "airlock_provider_attempt_duration_seconds",
        "provider" => provider,
        "model" => model
    )
    .record(took.as_secs_f64());
}

/// A stream that failed after its first chunk reached the caller.
pub(super) fn stream_failure(provider: &str, model: &str, outcome: &'static str) {
    metrics::counter!(
        "airlock_provider_stream_failures_total",
        "provider" => provider.to_owned(),
        "model" => model.to_owned(),
        "outcome" => outcome
    )
    .increment(1);
}

/// The breaker's state: 1 open or half-open, 0 closed.
pub(super) fn breaker_state(provider: &str, model: &str, state: BreakerState) {
    let open = if state == BreakerState::Closed {
        0.0
    } else {
        1.0
    };
    metrics::gauge!(
        "airlock_provider_breaker_open",
        "provider" => provider.to_owned(),
        "model" => model.to_owned()
    )
    .set(open);
}
