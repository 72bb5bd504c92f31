//! The human review queue's rules: a run whose decision is `review` gets a
//! [`ReviewTask`](airlock_core::ReviewTask) committed with it (`create`);
//! reviewers claim it for a lease (`claim`), and resolve it by approving,
//! overriding or rejecting (`resolve`), alone or by consensus with an
//! adjudicator for disagreements; unresolved tasks past their due time are
//! announced once (`overdue`). Every event is enqueued as webhook
//! deliveries in the same transaction as the change (`events`).
//!
//! The store serialises writers (it locks the task and hands its committed
//! state to a decider); the deciders here are pure functions of the task,
//! the request and `now`, so they hold on both backends and across
//! processes, and tests control time.

mod access;
mod api;
mod audit;
mod claim;
mod create;
mod events;
mod overdue;
mod resolve;

mod verdict;

use std::sync::Arc;
use std::time::Duration;

use airlock_config::{ReviewSettings, WebhookSettings};
use airlock_core::Timestamp;
use airlock_webhooks::DeliveryWaker;

pub use access::REVIEWER_MAX_CHARS;
pub use api::ResolveRequest;
pub(crate) use create::new_task;
pub(crate) use events::{created as created_event, deliveries};
pub use verdict::RunVerdict;

/// The engine's server-wide review settings.
#[derive(Clone, Default)]
pub(crate) struct ReviewConfig {
    /// Reviewers who may resolve escalated tasks.
    pub(crate) adjudicators: Arc<Vec<String>>,
    /// Endpoints that receive review events.
    pub(crate) webhooks: Arc<Vec<WebhookSettings>>,
    /// Woken after deliveries were committed, so the dispatcher sends
    /// them without waiting for its next poll.
    pub(crate) delivery_waker: Option<DeliveryWaker>,
}

impl ReviewConfig {
    pub(crate) fn new(review: ReviewSettings, webhooks: Vec<WebhookSettings>) -> Self {
        ReviewConfig {
            adjudicators: Arc::new(review.adjudicators),
            webhooks: Arc::new(webhooks),
            delivery_waker: None,
        }
    }

    pub(crate) fn is_adjudicator(&self, reviewer: &str) -> bool {
        self.adjudicators.iter().any(|a| a == reviewer)
    }

    pub(crate) fn wake_dispatcher(&self) {
        if let Some(waker) = &self.delivery_waker {
            waker.wake();
        }
    }
}

/// `at + duration`, saturating at the largest instant a timestamp can hold.
pub(crate) fn later(at: Timestamp, duration: Duration) -> Timestamp {
    let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_unix_ms(at.unix_ms().saturating_add(ms))
        .or_else(|_| Timestamp::from_unix_ms(253_402_300_799_999))
        .unwrap_or(at)
}
