//! What one call to one provider came to, and why a failed one failed.
//! A run keeps every attempt, so an operator sees which provider answered
//! and what failed before it.

use std::time::Duration;

use serde::Serialize;

/// Why an attempt failed; decides whether it is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The connection could not be made (refused, DNS, TLS, connect timeout).
    Connect,
    /// No response headers or first token within the first-token timeout.
    FirstTokenTimeout,
    /// The whole call took longer than the total timeout.
    TotalTimeout,
    /// `429` from the provider.
    RateLimited,
    /// A `5xx` from the provider.
    ServerError,
    /// A `4xx` other than `429` (bad request, unknown model, bad key):
    /// the same request would fail again, so it is never retried.
    Rejected,
    /// The body was not what the API promises (bad JSON, missing fields).
    Malformed,
    /// A stream ended before its final event.
    StreamBroken,
    /// The circuit breaker of this endpoint and model is open.
    CircuitOpen,
    /// A client-side limit (requests or tokens per minute, concurrency)
    /// would be exceeded.
    LimitReached,
    /// The provider may not receive this data class.
    NotPermitted,
}

impl FailureKind {
    /// Whether trying the same provider again may succeed.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            FailureKind::Connect
                | FailureKind::FirstTokenTimeout
                | FailureKind::TotalTimeout
                | FailureKind::RateLimited
                | FailureKind::ServerError
                | FailureKind::Malformed
                | FailureKind::StreamBroken
        )
    }

    /// Whether the next target of a fallback chain should be tried.
    /// Everything but a rejected request: another provider may well
    /// accept what this one could not serve.
    pub fn falls_back(self) -> bool {
        !matches!(self, FailureKind::Rejected)
    }

    /// Whether the failure counts against the endpoint's circuit breaker.
    pub fn trips_breaker(self) -> bool {
        matches!(
            self,
            FailureKind::Connect
                | FailureKind::FirstTokenTimeout
                | FailureKind::TotalTimeout
                | FailureKind::ServerError
                | FailureKind::Malformed
                | FailureKind::StreamBroken
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Connect => "connect",
            FailureKind::FirstTokenTimeout => "first_token_timeout",
            FailureKind::TotalTimeout => "total_timeout",
            FailureKind::RateLimited => "rate_limited",
            FailureKind::ServerError => "server_error",
            FailureKind::Rejected => "rejected",
            FailureKind::Malformed => "malformed",
            FailureKind::StreamBroken => "stream_broken",
            FailureKind::CircuitOpen => "circuit_open",
            FailureKind::LimitReached => "limit_reached",
            FailureKind::NotPermitted => "not_permitted",
        }
    }
}

/// A failed attempt, as the provider layer reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptError {
    pub kind: FailureKind,
    /// The provider's HTTP status, when there was one.
    pub status: Option<u16>,
    /// `Retry-After` as the provider sent it.
    #[serde(skip)]
    pub retry_after: Option<Duration>,
    /// What went wrong, for people (never holds a key).
    pub message: String,
}

impl AttemptError {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        AttemptError {
            kind,
            status: None,
            retry_after: None,
            message: message.into(),
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }
}

impl std::fmt::Display for AttemptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} ({status}): {}", self.kind.as_str(), self.message),
            None => write!(f, "{}: {}", self.kind.as_str(), self.message),
        }
    }
}

/// One call to one provider and model, as a run records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The provider's configured name.
    pub provider: String,
    /// The provider's model name.
    pub model: String,
    /// Time spent on this attempt, in microseconds (backoff waits excluded).
    pub latency_us: u64,
    /// `None` when this attempt answered.
    pub error: Option<AttemptError>,
}
