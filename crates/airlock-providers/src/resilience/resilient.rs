//! [`ResilientProvider`]: one provider and model with every resilience
//! layer around each call, recording each attempt.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use super::backoff::retry_wait;
use super::breaker::{BreakerState, BreakerTicket, CircuitBreaker, Outcome};
use super::guarded_stream::GuardedStream;
use super::limits::{estimate_chat_tokens, estimate_embedding_tokens, Limits};
use super::telemetry;
use super::ResilienceSettings;
use crate::attempt::{Attempt, AttemptError, FailureKind};
use crate::provider::{ChatStream, Provider};
use crate::types::{ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse};

/// One provider and model with its own breaker and limiters; build one
/// per provider+model pair.
pub struct ResilientProvider {
    inner: Arc<dyn Provider>,
    settings: ResilienceSettings,
    breaker: Arc<CircuitBreaker>,
    limits: Limits,
}

impl std::fmt::Debug for ResilientProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResilientProvider")
            .field("provider", &self.inner.name())
            .field("settings", &self.settings)
            .field("breaker", &self.breaker_state())
            .finish_non_exhaustive()
    }
}

/// What a layer around one call needs beside the call itself.
struct CallGuard {
    ticket: BreakerTicket,
    permit: Option<OwnedSemaphorePermit>,
    deadline: Instant,
}

impl ResilientProvider {
    pub fn new(inner: Arc<dyn Provider>, settings: ResilienceSettings) -> Self {
        ResilientProvider {
            breaker: Arc::new(CircuitBreaker::new(
                settings.breaker_failures,
                settings.breaker_open_for,
            )),
            limits: Limits::new(&settings),
            inner,
            settings,
        }
    }

    pub fn settings(&self) -> &ResilienceSettings {
        &self.settings
    }

    pub fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// A whole completion, with every attempt made for it.
    pub async fn chat_with_attempts(
        &self,
        request: &ChatRequest,
    ) -> (Result<ChatResponse, AttemptError>, Vec<Attempt>) {
        let tokens = estimate_chat_tokens(request);
        self.with_retries(&request.model, tokens, |guard| async move {
            let result = within(guard.deadline, &self.settings, self.inner.chat(request)).await;
            finish(guard, &result);
            result
        })
        .await
    }

    /// A started stream (its first chunk has arrived), with every attempt
    /// made for it; after that first chunk nothing is retried.
    pub async fn chat_stream_with_attempts(
        &self,
        request: &ChatRequest,
    ) -> (Result<ChatStream, AttemptError>, Vec<Attempt>) {
        let tokens = estimate_chat_tokens(request);
        self.with_retries(&request.model, tokens, |guard| async move {
            let started = within(guard.deadline, &self.settings, async {
                let mut stream = self.inner.chat_stream(request).await?;
                match stream.next().await {
                    Some(Ok(first)) => Ok((first, stream)),
                    Some(Err(err)) => Err(err),
                    None => Err(AttemptError::new(
                        FailureKind::StreamBroken,
                        "the stream ended before its first chunk",
                    )),
                }
            })
            .await;
            match started {
                Ok((first, stream)) => {
                    let guarded = GuardedStream::new(
                        first,
                        stream,
                        guard.deadline,
                        self.settings.total_timeout.as_millis(),
                        guard.ticket,
                        guard.permit,
                        self.inner.name(),
                        &request.model,
                    );
                    Ok(Box::pin(guarded) as ChatStream)
                }
                Err(err) => {
                    finish(guard, &Err::<(), _>(err.clone()));
                    Err(err)
                }
            }
        })
        .await
    }

    /// Embeddings, with every attempt made for them.
    pub async fn embed_with_attempts(
        &self,
        request: &EmbeddingRequest,
    ) -> (Result<EmbeddingResponse, AttemptError>, Vec<Attempt>) {
        let tokens = estimate_embedding_tokens(request);
        self.with_retries(&request.model, tokens, |guard| async move {
            let result = within(guard.deadline, &self.settings, self.inner.embed(request)).await;
            finish(guard, &result);
            result
        })
        .await
    }

    /// Attempts `call` until it succeeds, fails for good, or retries run out.
    async fn with_retries<T, F, Fut>(
        &self,
        model: &str,
        tokens: u64,
        call: F,
    ) -> (Result<T, AttemptError>, Vec<Attempt>)
    where
        F: Fn(CallGuard) -> Fut,
        Fut: Future<Output = Result<T, AttemptError>>,
    {
        let mut attempts = Vec::new();
        let mut retry = 0;
        loop {
            let (result, took) = self.attempt_once(model, tokens, &call).await;
            let outcome = match &result {
                Ok(_) => "ok",
                Err(err) => err.kind.as_str(),
            };
            telemetry::attempt(self.inner.name(), model, outcome, took);
            attempts.push(Attempt {
                provider: self.inner.name().to_owned(),
                model: model.to_owned(),
                latency_us: u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
                error: result.as_ref().err().cloned(),
            });
            let err = match result {
                Ok(value) => return (Ok(value), attempts),
                Err(err) => err,
            };
            if !err.kind.retryable() || retry >= self.settings.max_retries {
                return (Err(err), attempts);
            }
            let wait = retry_wait(
                retry,
                &err,
                self.settings.backoff_base,
                self.settings.backoff_max,
                &mut rand::rng(),
            );
            let Some(wait) = wait else {
                return (Err(err), attempts);
            };
            tracing::debug!(
                provider = self.inner.name(),
                model,
                error = %err,
                wait_ms = wait.as_millis() as u64,
                "retrying provider call"
            );
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    /// One attempt through the breaker and the limits; the time is the
    /// call's own (limit waits excluded).
    async fn attempt_once<T, F, Fut>(
        &self,
        model: &str,
        tokens: u64,
        call: &F,
    ) -> (Result<T, AttemptError>, std::time::Duration)
    where
        F: Fn(CallGuard) -> Fut,
        Fut: Future<Output = Result<T, AttemptError>>,
    {
        let Some(ticket) = self.breaker.admit(self.inner.name(), model) else {
            let err = AttemptError::new(
                FailureKind::CircuitOpen,
                format!(
                    "the circuit breaker of {} / {model} is open",
                    self.inner.name()
                ),
            )
            .with_retry_after(self.breaker.reopens_in());
            return (Err(err), std::time::Duration::ZERO);
        };
        let permit = match self.limits.admit(tokens).await {
            Ok(permit) => permit,
            // The ticket is dropped unreported: no call was made.
            Err(err) => return (Err(err), std::time::Duration::ZERO),
        };
        let start = Instant::now();
        let guard = CallGuard {
            ticket,
            permit,
            deadline: start + self.settings.total_timeout,
        };
        let result = call(guard).await;
        (result, start.elapsed())
    }
}

/// `call` cut off at the attempt's deadline.
async fn within<T>(
    deadline: Instant,
    settings: &ResilienceSettings,
    call: impl Future<Output = Result<T, AttemptError>>,
) -> Result<T, AttemptError> {
    match tokio::time::timeout_at(deadline, call).await {
        Ok(result) => result,
        Err(_) => Err(AttemptError::new(
            FailureKind::TotalTimeout,
            format!(
                "no answer within the total timeout of {} ms",
                settings.total_timeout.as_millis()
            ),
        )),
    }
}

/// Tells the breaker how a whole call ended and frees its permit.
fn finish<T>(guard: CallGuard, result: &Result<T, AttemptError>) {
    let outcome = match result {
        Err(err) if err.kind.trips_breaker() => Outcome::Unhealthy,
        _ => Outcome::Healthy,
    };
    guard.ticket.finish(outcome);
    drop(guard.permit);
}

#[async_trait]
impl Provider for ResilientProvider {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, AttemptError> {
        self.chat_with_attempts(request).await.0
    }

    async fn chat_stream(&self, request: &ChatRequest) -> Result<ChatStream, AttemptError> {
        self.chat_stream_with_attempts(request).await.0
    }

    async fn embed(&self, request: &EmbeddingRequest) -> Result<EmbeddingResponse, AttemptError> {
        self.embed_with_attempts(request).await.0
    }
}
