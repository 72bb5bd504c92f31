//! A started stream as the resilience layer hands it on: its first chunk
//! already read, the total timeout still running, the concurrency permit
//! held and the breaker told how it ended.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};

use super::breaker::{BreakerTicket, Outcome};
use super::telemetry;
use crate::attempt::{AttemptError, FailureKind};
use crate::provider::ChatStream;
use crate::types::ChatChunk;

pub(super) struct GuardedStream {
    first: Option<ChatChunk>,
    inner: ChatStream,
    deadline: Pin<Box<Sleep>>,
    total_ms: u128,
    ticket: Option<BreakerTicket>,
    permit: Option<OwnedSemaphorePermit>,
    provider: String,
    model: String,
    done: bool,
}

impl GuardedStream {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        first: ChatChunk,
        inner: ChatStream,
        deadline: Instant,
        total_ms: u128,
        ticket: BreakerTicket,
        permit: Option<OwnedSemaphorePermit>,
        provider: &str,
        model: &str,
    ) -> Self {
        GuardedStream {
            first: Some(first),
            inner,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
            total_ms,
            ticket: Some(ticket),
            permit,
            provider: provider.to_owned(),
            model: model.to_owned(),
            done: false,
        }
    }

    /// The stream is over: tell the breaker, free the permit.
    fn end(&mut self, failure: Option<FailureKind>) {
        self.done = true;
        self.permit = None;
        let outcome = match failure {
            Some(kind) => {
                telemetry::stream_failure(&self.provider, &self.model, kind.as_str());
                if kind.trips_breaker() {
                    Outcome::Unhealthy
                } else {
                    Outcome::Healthy
                }
            }
            None => Outcome::Healthy,
        };
        if let Some(ticket) = self.ticket.take() {
            ticket.finish(outcome);
        }
    }

    fn pass_on(
        &mut self,
        item: Result<ChatChunk, AttemptError>,
    ) -> Result<ChatChunk, AttemptError> {
        match &item {
            Ok(ChatChunk::Finish { .. }) => self.end(None),
            Ok(ChatChunk::Delta(_)) => {}
            Err(err) => self.end(Some(err.kind)),
        }
        item
    }
}

impl Stream for GuardedStream {
    type Item = Result<ChatChunk, AttemptError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(first) = this.first.take() {
            return Poll::Ready(Some(this.pass_on(Ok(first))));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            let err = AttemptError::new(
                FailureKind::TotalTimeout,
                format!("the stream did not finish within {} ms", this.total_ms),
            );
            return Poll::Ready(Some(this.pass_on(Err(err))));
        }
        match this.inner.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(item)) => Poll::Ready(Some(this.pass_on(item))),
            Poll::Ready(None) => {
                let err = AttemptError::new(
                    FailureKind::StreamBroken,
                    "the stream ended without its final chunk",
                );
                Poll::Ready(Some(this.pass_on(Err(err))))
            }
        }
    }
}

impl Drop for GuardedStream {
    /// A caller that stops reading had a working stream.
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            ticket.finish(Outcome::Healthy);
        }
    }
}
