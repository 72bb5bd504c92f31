//! The dispatcher: a task that works off the outbox. It claims due
//! deliveries (a lease, so a dispatcher that dies releases them by itself
//! and several processes can share one database), POSTs each one signed,
//! records every attempt, and reschedules failures with backoff until
//! `max_attempts`.
//!
//! It claims whenever an attempt slot is free and something may be due:
//! every poll interval, when [`DeliveryWaker::wake`] is called after an
//! enqueue, and as soon as an attempt finishes. Delivery is at least once:
//! if recording an attempt fails, the lease lapses and the delivery is sent
//! again, so receivers deduplicate by `Airlock-Delivery`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use airlock_config::{WebhookDeliverySettings, WebhookSettings};
use airlock_core::{DeliveryAttempt, DeliveryRecord, Result, Timestamp};
use airlock_store::{DeliveryNext, OutboxStore};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::{JoinHandle, JoinSet};

use crate::backoff::{self, after_failure};
use crate::metrics_names as m;
use crate::sender::{AttemptOutcome, Sender};

/// Default time between looks at the outbox.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(250);
/// Default number of attempts in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Added to the attempt timeout to make the claim lease, so recording the
/// attempt fits inside it.
pub const LEASE_MARGIN: Duration = Duration::from_secs(10);

/// Longest pause between claims while claiming keeps failing.
pub const MAX_CLAIM_RETRY_WAIT: Duration = Duration::from_secs(5);

/// Pokes a running dispatcher to look at the outbox now (call it after
/// committing new deliveries). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct DeliveryWaker {
    notify: Arc<Notify>,
}

impl DeliveryWaker {
    pub fn wake(&self) {
        self.notify.notify_one();
    }
}

/// Works off the webhook outbox; [`Dispatcher::spawn`] starts it.
pub struct Dispatcher {
    store: Arc<dyn OutboxStore>,
    endpoints: HashMap<String, WebhookSettings>,
    settings: WebhookDeliverySettings,
    sender: Sender,
    poll_interval: Duration,
    concurrency: usize,
    waker: DeliveryWaker,
}

impl Dispatcher {
    /// A dispatcher for the endpoints in the current configuration; a
    /// delivery addressed to an endpoint not among them is given up.
    pub fn new(
        store: Arc<dyn OutboxStore>,
        endpoints: &[WebhookSettings],
        settings: WebhookDeliverySettings,
    ) -> Result<Dispatcher> {
        Ok(Dispatcher {
            store,
            endpoints: endpoints
                .iter()
                .map(|e| (e.name.clone(), e.clone()))
                .collect(),
            sender: Sender::new(settings.timeout)?,
            settings,
            poll_interval: DEFAULT_POLL_INTERVAL,
            concurrency: DEFAULT_CONCURRENCY,
            waker: DeliveryWaker::default(),
        })
    }

    pub fn with_poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every.max(Duration::from_millis(1));
        self
    }

    /// At most `attempts` attempts in flight at once (at least 1).
    pub fn with_concurrency(mut self, attempts: usize) -> Self {
        self.concurrency = attempts.max(1);
        self
    }

    /// The handle that pokes this dispatcher once it runs.
    pub fn waker(&self) -> DeliveryWaker {
        self.waker.clone()
    }

    /// How long a claimed delivery is held: the attempt's timeout plus a
    /// margin for recording it.
    pub fn lease(&self) -> Duration {
        self.settings.timeout + LEASE_MARGIN
    }

    /// Claims what is due now, attempts it all (concurrently, up to the
    /// concurrency) and records every attempt; returns how many were
    /// attempted. For one-shot use and tests; [`Dispatcher::spawn`] runs
    /// the same steps continuously.
    pub async fn deliver_due(&self) -> Result<usize> {
        let claimed = self
            .store
            .claim_due_deliveries(Timestamp::now(), self.lease(), self.concurrency as u32)
            .await?;
        let count = claimed.len();
        let mut attempts = JoinSet::new();
        let shared = Arc::new(self.attempt_context());
        for delivery in claimed {
            attempts.spawn(shared.clone().attempt(delivery));
        }
        while attempts.join_next().await.is_some() {}
        Ok(count)
    }

    /// Starts the dispatcher on the current tokio runtime.
    pub fn spawn(self) -> DispatcherHandle {
        let (stop_tx, stop_rx) = watch::channel(false);
        let waker = self.waker.clone();
        let task = tokio::spawn(self.run(stop_rx));
        DispatcherHandle {
            stop: stop_tx,
            waker,
            task,
        }
    }

    /// How long to wait for news before looking again: the poll interval,
    /// stretched (up to [`MAX_CLAIM_RETRY_WAIT`]) while claiming keeps
    /// failing, e.g. while the database is unreachable.
    fn idle_wait(&self, claim_failures: u32) -> Duration {
        if claim_failures == 0 {
            return self.poll_interval;
        }
        backoff::retry_delay(claim_failures, self.poll_interval, MAX_CLAIM_RETRY_WAIT)
            .max(self.poll_interval)
    }

    fn attempt_context(&self) -> AttemptContext {
        AttemptContext {
            store: self.store.clone(),
            endpoints: self.endpoints.clone(),
            settings: self.settings.clone(),
            sender: self.sender.clone(),
        }
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        let context = Arc::new(self.attempt_context());
        let slots = Arc::new(Semaphore::new(self.concurrency));
        let mut in_flight = JoinSet::new();
        let mut claim_failures = 0u32;
        tracing::info!(
            endpoints = self.endpoints.len(),
            concurrency = self.concurrency,
            "webhook dispatcher started"
        );
        loop {
            if *stop.borrow() {
                break;
            }
            let free = slots.available_permits();
            let mut filled_every_slot = false;
            if free > 0 {
                match self
                    .store
                    .claim_due_deliveries(Timestamp::now(), self.lease(), free as u32)
                    .await
                {
                    Ok(claimed) => {
                        claim_failures = 0;
                        filled_every_slot = claimed.len() == free;
                        for delivery in claimed {
                            let Ok(slot) = slots.clone().try_acquire_owned() else {
                                break;
                            };
                            let context = context.clone();
                            in_flight.spawn(async move {
                                context.attempt(delivery).await;
                                drop(slot);
                            });
                        }
                    }
                    Err(err) => {
                        claim_failures = claim_failures.saturating_add(1);
                        tracing::warn!(
                            error = %err, failures = claim_failures,
                            "cannot claim webhook deliveries; retrying"
                        );
                    }
                }
            }
            tokio::select! {
                changed = stop.changed() => {
                    if changed.is_err() {
                        // The handle is gone: nobody can stop us later.
                        break;
                    }
                }
                () = self.waker.notify.notified() => {}
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                () = tokio::time::sleep(self.idle_wait(claim_failures)), if !filled_every_slot => {}
            }
        }
        let unfinished = in_flight.len();
        while in_flight.join_next().await.is_some() {}
        tracing::info!(finished_attempts = unfinished, "webhook dispatcher stopped");
    }
}

/// What every attempt needs, shared by the attempts in flight.
struct AttemptContext {
    store: Arc<dyn OutboxStore>,
    endpoints: HashMap<String, WebhookSettings>,
    settings: WebhookDeliverySettings,
    sender: Sender,
}

impl AttemptContext {
    /// Sends one claimed delivery and records the attempt.
    async fn attempt(self: Arc<Self>, delivery: DeliveryRecord) {
        let number = delivery.attempts.saturating_add(1);
        let (outcome, next) = match self.endpoints.get(&delivery.endpoint) {
            Some(endpoint) => {
                let outcome = self
                    .sender
                    .send(&delivery, &endpoint.url, endpoint.secret.as_bytes())
                    .await;
                let next = if outcome.is_delivered() {
                    DeliveryNext::Delivered
                } else {
                    after_failure(number, Timestamp::now(), &self.settings, rand::random())
                };
                metrics::histogram!(m::ATTEMPT_DURATION_SECONDS, "endpoint" => delivery.endpoint.clone())
                    .record(outcome.duration.as_secs_f64());
                (outcome, next)
            }
            None => (
                AttemptOutcome {
                    started_at: Timestamp::now(),
                    duration: Duration::ZERO,
                    status_code: None,
                    error: Some(format!(
                        "endpoint `{}` is no longer in the configuration ([[webhooks]]): delivery given up",
                        delivery.endpoint
                    )),
                },
                DeliveryNext::GiveUp,
            ),
        };
        let result = match next {
            DeliveryNext::Delivered => "delivered",
            DeliveryNext::RetryAt(_) => "retrying",
            DeliveryNext::GiveUp => "failed",
        };
        metrics::counter!(
            m::DELIVERIES_TOTAL,
            "endpoint" => delivery.endpoint.clone(),
            "event" => delivery.event.as_str(),
            "result" => result,
        )
        .increment(1);
        match &outcome.error {
            None => tracing::debug!(
                delivery = %delivery.id, endpoint = %delivery.endpoint, event = %delivery.event,
                attempt = number, "webhook delivered"
            ),
            Some(error) => tracing::warn!(
                delivery = %delivery.id, endpoint = %delivery.endpoint, event = %delivery.event,
                attempt = number, result, error = %error, "webhook attempt failed"
            ),
        }
        let attempt = DeliveryAttempt {
            delivery_id: delivery.id,
            attempt: number,
            started_at: outcome.started_at,
            duration_ms: u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX),
            status_code: outcome.status_code,
            error: outcome.error,
        };
        if let Err(err) = self.store.record_attempt(attempt, next).await {
            // The lease lapses and the delivery is attempted again.
            tracing::error!(
                delivery = %delivery.id, attempt = number, error = %err,
                "cannot record a webhook attempt; the delivery will be retried"
            );
        }
    }
}

/// A running dispatcher. Dropping it stops the dispatcher too (after the
/// attempts in flight); [`DispatcherHandle::shutdown`] also waits for that.
pub struct DispatcherHandle {
    stop: watch::Sender<bool>,
    waker: DeliveryWaker,
    task: JoinHandle<()>,
}

impl DispatcherHandle {
    /// The handle that pokes the dispatcher after an enqueue.
    pub fn waker(&self) -> DeliveryWaker {
        self.waker.clone()
    }

    /// Stops claiming, lets the attempts in flight finish and be recorded,
    /// and returns when the dispatcher has stopped.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(err) = self.task.await {
            if err.is_panic() {
                tracing::error!(error = %err, "the webhook dispatcher panicked");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::{DeliveryId, Error};
    use airlock_store::{DeliveryFilter, Page};
    use async_trait::async_trait;

    /// An outbox whose database is down.
    struct Unreachable;

    #[async_trait]
    impl OutboxStore for Unreachable {
        async fn claim_due_deliveries(
            &self,
            _: Timestamp,
            _: Duration,
            _: u32,
        ) -> Result<Vec<DeliveryRecord>> {
            Err(Error::internal("database unreachable"))
        }
        async fn record_attempt(&self, _: DeliveryAttempt, _: DeliveryNext) -> Result<()> {
            Err(Error::internal("database unreachable"))
        }
        async fn get_delivery(&self, _: DeliveryId) -> Result<Option<DeliveryRecord>> {
            Ok(None)
        }
        async fn list_deliveries(&self, _: &DeliveryFilter) -> Result<Page<DeliveryRecord>> {
            Err(Error::internal("database unreachable"))
        }
        async fn list_attempts(&self, _: DeliveryId) -> Result<Vec<DeliveryAttempt>> {
            Ok(vec![])
        }
    }

    fn dispatcher() -> Dispatcher {
        Dispatcher::new(
            Arc::new(Unreachable),
            &[],
            WebhookDeliverySettings::default(),
        )
        .expect("dispatcher")
    }

    #[test]
    fn a_failing_claim_stretches_the_wait_up_to_a_cap() {
        let d = dispatcher().with_poll_interval(Duration::from_millis(250));
        let waits: Vec<u128> = (0..8).map(|n| d.idle_wait(n).as_millis()).collect();
        assert_eq!(waits, [250, 250, 500, 1000, 2000, 4000, 5000, 5000]);
    }

    #[test]
    fn the_lease_covers_the_attempt_and_its_recording() {
        assert_eq!(dispatcher().lease(), Duration::from_secs(10) + LEASE_MARGIN);
    }

    #[tokio::test]
    async fn a_dispatcher_whose_database_is_down_keeps_running_and_stops_on_request() {
        let handle = dispatcher()
            .with_poll_interval(Duration::from_millis(1))
            .spawn();
        handle.waker().wake();
        tokio::time::sleep(Duration::from_millis(20)).await;
        tokio::time::timeout(Duration::from_secs(10), handle.shutdown())
            .await
            .expect("the dispatcher stops although every claim fails");
    }
}
