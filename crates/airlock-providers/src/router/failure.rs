//! [`RouteFailure`]: why no target of a route answered, with every attempt,
//! and how that becomes an [`airlock_core::Error`].

use std::time::Duration;

use airlock_core::{Error, ErrorKind};

use crate::attempt::{Attempt, AttemptError, FailureKind};

/// No target answered. An unknown model name or one of the wrong kind is
/// a failure with no attempts whose `last.kind` is `Rejected`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFailure {
    pub attempts: Vec<Attempt>,
    pub last: AttemptError,
}

impl RouteFailure {
    pub fn unknown_model(name: &str) -> Self {
        RouteFailure {
            attempts: Vec::new(),
            last: AttemptError::new(FailureKind::Rejected, format!("unknown model {name:?}")),
        }
    }

    pub fn wrong_kind(name: &str, wanted: &str) -> Self {
        RouteFailure {
            attempts: Vec::new(),
            last: AttemptError::new(
                FailureKind::Rejected,
                format!("model {name:?} is not a {wanted} model"),
            ),
        }
    }

    /// The shortest `Retry-After` a failed attempt (or the last failure)
    /// was answered with: the soonest any target said it may serve again.
    pub fn soonest_retry(&self) -> Option<Duration> {
        self.attempts
            .iter()
            .filter_map(|attempt| attempt.error.as_ref())
            .chain(std::iter::once(&self.last))
            .filter_map(|error| error.retry_after)
            .min()
    }

    /// The attempts in one line: `openai/gpt-4o: server_error (500); …`.
    pub fn summary(&self) -> String {
        self.attempts
            .iter()
            .map(|attempt| {
                let outcome = match &attempt.error {
                    None => "ok".to_owned(),
                    Some(err) => match err.status {
                        Some(status) => format!("{} ({status})", err.kind.as_str()),
                        None => err.kind.as_str().to_owned(),
                    },
                };
                format!("{}/{}: {outcome}", attempt.provider, attempt.model)
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl std::fmt::Display for RouteFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.attempts.is_empty() {
            write!(f, "{}", self.last.message)
        } else {
            write!(f, "{} [attempts: {}]", self.last, self.summary())
        }
    }
}

impl std::error::Error for RouteFailure {}

impl From<RouteFailure> for Error {
    fn from(failure: RouteFailure) -> Self {
        let kind = match failure.last.kind {
            FailureKind::Rejected => ErrorKind::InvalidInput,
            FailureKind::NotPermitted => ErrorKind::Forbidden,
            FailureKind::FirstTokenTimeout | FailureKind::TotalTimeout => ErrorKind::Timeout,
            _ => ErrorKind::Unavailable,
        };
        let wait = failure.soonest_retry();
        let error = Error::new(kind, failure.to_string());
        match wait {
            Some(wait) if kind == ErrorKind::Unavailable => error.with_retry_after(wait),
            _ => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(kind: FailureKind, status: Option<u16>) -> Attempt {
        let mut error = AttemptError::new(kind, "boom");
        error.status = status;
        Attempt {
            provider: "openai".into(),
            model: "gpt".into(),
            latency_us: 5,
            error: Some(error),
        }
    }

    #[test]
    fn maps_to_core_errors_with_attempts() {
        let failure = RouteFailure {
            attempts: vec![
                attempt(FailureKind::ServerError, Some(500)),
                attempt(FailureKind::TotalTimeout, None),
            ],
            last: AttemptError::new(FailureKind::TotalTimeout, "slow"),
        };
        let error = Error::from(failure);
        assert_eq!(error.kind(), ErrorKind::Timeout);
        assert!(error.message().contains("openai/gpt: server_error (500)"));
        assert!(error.message().contains("total_timeout"));
        assert_eq!(
            Error::from(RouteFailure::unknown_model("nope")).kind(),
            ErrorKind::InvalidInput
        );
        let denied = RouteFailure {
            attempts: vec![attempt(FailureKind::NotPermitted, None)],
            last: AttemptError::new(FailureKind::NotPermitted, "x"),
        };
        assert_eq!(Error::from(denied).kind(), ErrorKind::Forbidden);
        let down = RouteFailure {
            attempts: vec![],
            last: AttemptError::new(FailureKind::CircuitOpen, "x"),
        };
        assert_eq!(Error::from(down).kind(), ErrorKind::Unavailable);
        assert_eq!(
            Error::from(RouteFailure::unknown_model("nope")).retry_after(),
            None
        );
    }

    #[test]
    fn an_unavailable_route_asks_to_retry_after_the_soonest_wait_it_was_given() {
        let limited = |secs: Option<u64>| Attempt {
            error: Some(
                AttemptError::new(FailureKind::RateLimited, "slow down")
                    .with_retry_after(secs.map(Duration::from_secs)),
            ),
            ..attempt(FailureKind::RateLimited, Some(429))
        };
        let failure = RouteFailure {
            attempts: vec![limited(Some(30)), limited(None), limited(Some(7))],
            last: AttemptError::new(FailureKind::RateLimited, "slow down"),
        };
        let error = Error::from(failure);
        assert_eq!(error.kind(), ErrorKind::Unavailable);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
        let none_given = RouteFailure {
            attempts: vec![attempt(FailureKind::ServerError, Some(500))],
            last: AttemptError::new(FailureKind::ServerError, "boom"),
        };
        assert_eq!(Error::from(none_given).retry_after(), None);
        // A rejected request is not worth retrying, whatever it was told.
        let rejected = RouteFailure {
            attempts: vec![limited(Some(3))],
            last: AttemptError::new(FailureKind::Rejected, "bad"),
        };
        assert_eq!(Error::from(rejected).retry_after(), None);
    }
}
