//! The work `airlock serve` does next to answering requests: the webhook
//! dispatcher (works off the outbox), the overdue sweeper (announces
//! reviews past their due time once), the quality gauge refresher (sets
//! the review and quality gauges from the database), the audit
//! checkpointer (signs the chain's head every `[audit] checkpoint_every`,
//! and once more at shutdown) and the retention purger. [`Background::stop`]
//! ends them in order after the HTTP server drained: the dispatcher
//! finishes its attempts in flight (anything still claimed keeps its lease
//! and is retried by the next dispatcher once the lease lapses), a sweep
//! under way completes, the refresher is dropped.

use std::sync::Arc;
use std::time::Duration;

use airlock_config::Settings;
use airlock_core::Result;
use airlock_engine::{spawn_quality_metrics, Engine, QUALITY_REFRESH_INTERVAL};
use airlock_webhooks::{Dispatcher, DispatcherHandle};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How often unresolved reviews past their due time are looked for.
pub const OVERDUE_SWEEP_INTERVAL: Duration = Duration::from_secs(30);

/// The running background tasks.
pub struct Background {
    dispatcher: DispatcherHandle,
    sweeper: JoinHandle<()>,
    stop_sweeper: oneshot::Sender<()>,
    quality: JoinHandle<()>,
    checkpointer: JoinHandle<()>,
    stop_checkpointer: oneshot::Sender<()>,
    purger: JoinHandle<()>,
    stop_purger: oneshot::Sender<()>,
}

impl Background {
    /// Starts the tasks for `engine`; returns the engine wired to wake the
    /// dispatcher whenever it commits webhook deliveries.
    pub fn start(engine: Engine, settings: &Settings) -> Result<(Engine, Background)> {
        let dispatcher = Dispatcher::new(
            Arc::new(engine.store().clone()),
            &settings.webhooks,
            settings.webhook_delivery.clone(),
        )?;
        let engine = engine.with_delivery_waker(dispatcher.waker());
        let dispatcher = dispatcher.spawn();
        let (stop_sweeper, stopped) = oneshot::channel::<()>();
        let sweeper = tokio::spawn(engine.clone().sweep_overdue_every(
            OVERDUE_SWEEP_INTERVAL,
            async move {
                // A dropped sender stops the sweeper too.
                let _ = stopped.await;
            },
        ));
        let quality = spawn_quality_metrics(engine.clone(), QUALITY_REFRESH_INTERVAL);
        let (stop_checkpointer, stopped) = oneshot::channel::<()>();
        let checkpointer = tokio::spawn(engine.clone().checkpoint_every(
            settings.audit.checkpoint_every,
            async move {
                let _ = stopped.await;
            },
        ));
        let (stop_purger, stopped) = oneshot::channel::<()>();
        let purger = tokio::spawn(engine.clone().purge_every(
            settings.retention.purge_every,
            async move {
                let _ = stopped.await;
            },
        ));
        Ok((
            engine,
            Background {
                dispatcher,
                sweeper,
                stop_sweeper,
                quality,
                checkpointer,
                stop_checkpointer,
                purger,
                stop_purger,
            },
        ))
    }

    /// Stops every task; returns when the dispatcher and the sweeper have.
    pub async fn stop(self) {
        self.quality.abort();
        let _ = self.stop_sweeper.send(());
        self.dispatcher.shutdown().await;
        let _ = self.stop_purger.send(());
        let _ = self.stop_checkpointer.send(());
        for (name, task) in [
            ("the overdue sweeper", self.sweeper),
            ("the retention purger", self.purger),
            // Last: it signs the chain's final head.
            ("the audit checkpointer", self.checkpointer),
        ] {
            if let Err(error) = task.await {
                if error.is_panic() {
                    tracing::error!(%error, "{name} panicked");
                }
            }
        }
    }
}
