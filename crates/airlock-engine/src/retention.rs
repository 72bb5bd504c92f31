//! Retention through the engine: purges the payloads of every workflow's
//! runs older than its `[retention] payloads`, and does so periodically in
//! `airlock serve`. Safe in several processes at once (each purge is one
//! transaction that only touches rows not yet purged).

use std::future::Future;
use std::time::Duration;

use airlock_core::{Result, Timestamp};
use airlock_store::Purged;

use crate::engine::Engine;

impl Engine {
    /// Purges what is past retention at `now`; returns what each workflow
    /// purged (workflows that purged nothing are left out).
    pub async fn purge_expired_at(&self, now: Timestamp) -> Result<Vec<(String, Purged)>> {
        let mut done = Vec::new();
        for workflow in self.workflows() {
            let Some(keep) = workflow.retention.payloads else {
                continue;
            };
            let keep_ms = i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
            let Ok(before) = Timestamp::from_unix_ms(now.unix_ms().saturating_sub(keep_ms)) else {
                continue;
            };
            let purged = self
                .store()
                .purge_payloads(&workflow.name, before, now)
                .await?;
            if purged.runs + purged.quarantined > 0 {
                done.push((workflow.name.clone(), purged));
            }
        }
        Ok(done)
    }

    /// Purges every `every` until `shutdown` completes (errors are logged
    /// and the loop goes on).
    pub async fn purge_every(self, every: Duration, shutdown: impl Future<Output = ()> + Send) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = ticks.tick() => match self.purge_expired_at(Timestamp::now()).await {
                    Ok(done) => {
                        for (workflow, purged) in done {
                            tracing::info!(%workflow, runs = purged.runs, quarantined = purged.quarantined, "purged payloads past retention");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "purging payloads past retention failed"),
                },
            }
        }
    }
}
