//! Quality as Prometheus gauges. Review backlogs and rates live in the
//! database, which several server processes may share, so no process can
//! count them in memory: a background task ([`spawn_quality_metrics`])
//! recomputes every workflow's [`QualityReport`] from the database every
//! [`QUALITY_REFRESH_INTERVAL`] and sets one gauge per workflow and figure.
//!
//! The gauges cover every run (no `since`), so a rate, once defined, stays
//! defined; before that (no runs, no resolved or labelled reviews yet) its
//! gauge is simply not set.

use std::time::Duration;

use airlock_core::Result;

use crate::engine::Engine;
use crate::metrics_names as m;
use crate::quality::QualityReport;

/// How often the server refreshes the quality gauges.
pub const QUALITY_REFRESH_INTERVAL: Duration = Duration::from_secs(15);

/// Sets the quality gauges of `report`'s workflow.
pub fn set_quality_gauges(report: &QualityReport) {
    let workflow = report.workflow.clone();
    let gauge = |name: &'static str, value: f64| {
        metrics::gauge!(name, "workflow" => workflow.clone()).set(value);
    };
    gauge(m::REVIEW_BACKLOG, report.backlog.size as f64);
    gauge(
        m::REVIEW_BACKLOG_OLDEST_SECONDS,
        report.backlog.oldest_age_seconds,
    );
    gauge(
        m::REVIEW_SLA_BREACHES,
        report.totals.reviews.sla_breaches as f64,
    );
    let rates = [
        (m::AUTOMATION_RATE, report.totals.automation_rate),
        (m::OVERRIDE_RATE, report.totals.override_rate),
        (m::SUGGESTION_ACCURACY, report.totals.suggestion_accuracy),
    ];
    for (name, rate) in rates {
        if let Some(rate) = rate {
            gauge(name, rate);
        }
    }
}

/// Recomputes every workflow's quality from the database and sets its
/// gauges. Stops at the first workflow whose counts cannot be read.
pub async fn refresh_quality_metrics(engine: &Engine) -> Result<()> {
    let names: Vec<String> = engine.workflows().map(|w| w.name.clone()).collect();
    for name in names {
        let report = engine.quality(&name, None).await?;
        set_quality_gauges(&report);
    }
    Ok(())
}

/// Spawns the task that refreshes the quality gauges every `every` (the
/// first refresh at once) until the returned handle is aborted or the
/// runtime stops. A failed refresh is logged and retried next time.
pub fn spawn_quality_metrics(engine: Engine, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = refresh_quality_metrics(&engine).await {
                tracing::warn!(%error, "cannot refresh the quality metrics");
            }
        }
    })
}
