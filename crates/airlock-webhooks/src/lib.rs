//! Webhooks of the human review loop: `review.created`, `review.resolved`
//! and `review.overdue` POSTed to the endpoints in `[[webhooks]]`.
//!
//! - [`deliveries_for`] turns one event into outbox rows (one per
//!   subscribed endpoint); the engine stores them in the same transaction
//!   as the change they announce, so an event is never lost or invented.
//! - [`Dispatcher`] works off that outbox: it claims due deliveries, sends
//!   each signed ([`sign`]; receivers check with [`verify`]), records every
//!   attempt and retries failures with backoff ([`backoff`]) until
//!   `max_attempts`. Deliveries live in the database, so they survive a
//!   restart.
//!
//! See `docs/webhooks.md` for the wire format and how to verify it.

pub mod backoff;
mod dispatcher;
mod envelope;
pub mod metrics_names;
mod sender;
mod signature;

pub use dispatcher::{
    DeliveryWaker, Dispatcher, DispatcherHandle, DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL,
    LEASE_MARGIN,
};
pub use envelope::{deliveries_for, envelope, is_subscribed};
pub use sender::{AttemptOutcome, Sender};
pub use signature::{
    sign, verify, DELIVERY_HEADER, EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER,
};
