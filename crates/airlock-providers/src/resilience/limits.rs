//! Client-side limits of one provider and model: requests and tokens per
//! minute as token buckets, concurrency as a semaphore, each waited on for
//! at most `limit_wait`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::ResilienceSettings;
use crate::attempt::{AttemptError, FailureKind};
use crate::types::{ChatRequest, EmbeddingRequest};

/// Completion tokens assumed when a request sets no `max_tokens`.
const ASSUMED_COMPLETION_TOKENS: u64 = 256;

/// Tokens a chat request may use: a quarter of its characters plus the
/// completion budget (a cheap estimate made before the call).
pub(super) fn estimate_chat_tokens(request: &ChatRequest) -> u64 {
    let chars: usize = request
        .messages
        .iter()
        .map(|m| m.content.chars().count())
        .sum();
    quarter_up(chars)
        + request
            .max_tokens
            .map_or(ASSUMED_COMPLETION_TOKENS, u64::from)
}

/// Tokens an embeddings request may use.
pub(super) fn estimate_embedding_tokens(request: &EmbeddingRequest) -> u64 {
    quarter_up(request.input.iter().map(|i| i.chars().count()).sum())
}

fn quarter_up(chars: usize) -> u64 {
    u64::try_from(chars.div_ceil(4)).unwrap_or(u64::MAX)
}

/// A bucket refilled continuously to `capacity` per minute. Takes may run
/// it into debt that later takers wait out, which keeps waits in order.
#[derive(Debug)]
pub(super) struct TokenBucket {
    capacity: f64,
    per_second: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub(super) fn per_minute(capacity: u32) -> Self {
        let capacity = f64::from(capacity.max(1));
        TokenBucket {
            capacity,
            per_second: capacity / 60.0,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    /// Takes `amount` (at most a full bucket) if it is there within
    /// `max_wait`: `Ok(wait)` is how long the caller must sleep first;
    /// `Err(wait)` takes nothing.
    pub(super) fn reserve(&self, amount: u64, max_wait: Duration) -> Result<Duration, Duration> {
        let amount = (amount as f64).min(self.capacity);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(state.1).as_secs_f64();
        state.0 = (state.0 + elapsed * self.per_second).min(self.capacity);
        state.1 = now;
        let wait = if state.0 >= amount {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((amount - state.0) / self.per_second)
        };
        if wait > max_wait {
            return Err(wait);
        }
        state.0 -= amount;
        Ok(wait)
    }

    /// Gives back what a reservation took (the call was not made).
    pub(super) fn refund(&self, amount: u64) {
        let amount = (amount as f64).min(self.capacity);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.0 = (state.0 + amount).min(self.capacity);
    }
}

/// All limits of one provider and model.
#[derive(Debug)]
pub(super) struct Limits {
    requests: Option<TokenBucket>,
    tokens: Option<TokenBucket>,
    concurrency: Option<Arc<Semaphore>>,
    wait: Duration,
}

/// A per-minute budget is spent: it has room again in `wait`.
fn limit_reached(what: &str, wait: Duration) -> AttemptError {
    AttemptError::new(
        FailureKind::LimitReached,
        format!(
            "client-side {what} limit reached (free in {} ms)",
            wait.as_millis()
        ),
    )
    .with_retry_after(Some(wait))
}

/// Every concurrency slot stayed taken for the whole wait (when one frees
/// up is not known).
fn concurrency_reached(waited: Duration) -> AttemptError {
    AttemptError::new(
        FailureKind::LimitReached,
        format!(
            "client-side concurrency limit reached (no slot freed in {} ms)",
            waited.as_millis()
        ),
    )
}

impl Limits {
    pub(super) fn new(settings: &ResilienceSettings) -> Self {
        Limits {
            requests: settings.requests_per_minute.map(TokenBucket::per_minute),
            tokens: settings.tokens_per_minute.map(TokenBucket::per_minute),
            concurrency: settings
                .max_concurrency
                .map(|n| Arc::new(Semaphore::new(usize::try_from(n.max(1)).unwrap_or(1)))),
            wait: settings.limit_wait,
        }
    }

    /// Waits (at most `limit_wait`) for room for one call of `tokens`;
    /// the permit, if any, must be held for the call's length.
    pub(super) async fn admit(
        &self,
        tokens: u64,
    ) -> Result<Option<OwnedSemaphorePermit>, AttemptError> {
        let start = Instant::now();
        let request_wait = match &self.requests {
            Some(bucket) => bucket
                .reserve(1, self.wait)
                .map_err(|wait| limit_reached("requests per minute", wait))?,
            None => Duration::ZERO,
        };
        let token_wait = match &self.tokens {
            Some(bucket) => match bucket.reserve(tokens, self.wait) {
                Ok(wait) => wait,
                Err(wait) => {
                    self.refund(false, tokens);
                    return Err(limit_reached("tokens per minute", wait));
                }
            },
            None => Duration::ZERO,
        };
        let rate_wait = request_wait.max(token_wait);
        if !rate_wait.is_zero() {
            tokio::time::sleep(rate_wait).await;
        }
        let Some(semaphore) = &self.concurrency else {
            return Ok(None);
        };
        let left = self.wait.saturating_sub(start.elapsed());
        let permit = match Arc::clone(semaphore).try_acquire_owned() {
            Ok(permit) => Some(permit),
            Err(_) if left.is_zero() => None,
            Err(_) => tokio::time::timeout(left, Arc::clone(semaphore).acquire_owned())
                .await
                .ok()
                .and_then(Result::ok),
        };
        match permit {
            Some(permit) => Ok(Some(permit)),
            None => {
                self.refund(true, tokens);
                Err(concurrency_reached(self.wait))
            }
        }
    }

    fn refund(&self, with_tokens: bool, tokens: u64) {
        if let Some(bucket) = &self.requests {
            bucket.refund(1);
        }
        if with_tokens {
            if let Some(bucket) = &self.tokens {
                bucket.refund(tokens);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ChatMessage;

    #[test]
    fn estimates() {
        let request = ChatRequest {
            messages: vec![ChatMessage {
                role: "user".into(),
                content: "12345".into(),
            }],
            ..ChatRequest::default()
        };
        assert_eq!(estimate_chat_tokens(&request), 2 + 256);
        let request = ChatRequest {
            max_tokens: Some(10),
            ..request
        };
        assert_eq!(estimate_chat_tokens(&request), 12);
        let embed = EmbeddingRequest {
            model: "e".into(),
            input: vec!["abcd".into(), "e".into()],
        };
        assert_eq!(estimate_embedding_tokens(&embed), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn bucket_empties_and_refills() {
        let bucket = TokenBucket::per_minute(60);
        assert_eq!(bucket.reserve(60, Duration::ZERO), Ok(Duration::ZERO));
        let wait = bucket.reserve(1, Duration::ZERO).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 0.01);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(bucket.reserve(2, Duration::ZERO), Ok(Duration::ZERO));
        let wait = bucket.reserve(1, Duration::from_secs(5)).unwrap();
        assert!(
            (wait.as_secs_f64() - 1.0).abs() < 0.01,
            "may wait: {wait:?}"
        );
        bucket.refund(1);
        let wait = bucket.reserve(1, Duration::ZERO).unwrap_err();
        assert!(
            (wait.as_secs_f64() - 1.0).abs() < 0.01,
            "refunded debt: {wait:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn limits_fail_fast_or_wait() {
        let settings = ResilienceSettings {
            requests_per_minute: Some(1),
            max_concurrency: Some(1),
            ..ResilienceSettings::default()
        };
        let limits = Limits::new(&settings);
        let permit = limits.admit(1).await.unwrap();
        assert!(permit.is_some());
        let err = limits.admit(1).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::LimitReached);
        // The per-minute bucket refills one request in at most a minute.
        let wait = err.retry_after.expect("a bucket says when it has room");
        assert!(wait <= Duration::from_secs(60), "{wait:?}");

        let waiting = Limits::new(&ResilienceSettings {
            max_concurrency: Some(1),
            limit_wait: Duration::from_secs(1),
            ..ResilienceSettings::default()
        });
        let held = waiting.admit(1).await.unwrap();
        let err = waiting.admit(1).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::LimitReached);
        assert_eq!(err.retry_after, None, "when a slot frees up is not known");
        drop(held);
        assert!(waiting.admit(1).await.unwrap().is_some());
    }
}
