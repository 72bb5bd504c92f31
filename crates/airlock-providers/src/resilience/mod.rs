//! Resilience around one provider and model: a total timeout per attempt,
//! retries with full-jitter backoff honouring `Retry-After`, a circuit
//! breaker, and client-side request, token and concurrency limits — each
//! layer in its own file, composed by [`ResilientProvider`].

mod backoff;
mod breaker;
mod guarded_stream;
mod limits;
mod resilient;
mod telemetry;

use std::time::Duration;

pub use breaker::BreakerState;
pub use resilient::ResilientProvider;

/// How one provider and model is called.
#[derive(Debug, Clone, PartialEq)]
pub struct ResilienceSettings {
    /// One attempt (for a stream: until its last chunk) must end within this.
    pub total_timeout: Duration,
    /// Retries after the first attempt, for retryable failures only.
    pub max_retries: u32,
    /// Backoff before retry `n` is random in `0..=min(backoff_max, backoff_base * 2^n)`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Consecutive breaker-tripping failures that open the breaker (0: never).
    pub breaker_failures: u32,
    /// How long an open breaker rejects calls before one probe is let through.
    pub breaker_open_for: Duration,
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u32>,
    pub max_concurrency: Option<u32>,
    /// How long to wait for a client-side limit before `LimitReached`
    /// (zero: fail at once).
    pub limit_wait: Duration,
}

impl Default for ResilienceSettings {
    fn default() -> Self {
        ResilienceSettings {
            total_timeout: Duration::from_secs(120),
            max_retries: 2,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(10),
            breaker_failures: 5,
            breaker_open_for: Duration::from_secs(30),
            requests_per_minute: None,
            tokens_per_minute: None,
            max_concurrency: None,
            limit_wait: Duration::ZERO,
        }
    }
}
