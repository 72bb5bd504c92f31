//! The process-wide Prometheus recorder: the engine's metrics
//! (`airlock_engine::metrics_names`), the store's
//! (`airlock_store::metrics_names`), the webhook dispatcher's
//! (`airlock_webhooks::metrics_names`) and the server's HTTP metrics go
//! through the `metrics` facade into it, and `GET /metrics` renders it.

use std::sync::OnceLock;
use std::time::Duration;

use airlock_core::{Error, Result};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Counter: answered HTTP requests, labels `method`, `route` (the matched
/// route template, or `unmatched`), `status`.
pub const HTTP_REQUESTS_TOTAL: &str = "airlock_http_requests_total";
/// Histogram (seconds): time to answer a request, labels `method`, `route`.
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "airlock_http_request_duration_seconds";
/// Counter: requests shed with `503` because `[server] max_in_flight`
/// requests were already being handled.
pub const HTTP_REQUESTS_SHED_TOTAL: &str = "airlock_http_requests_shed_total";

/// Bucket upper bounds (seconds) for latency histograms: 100 µs to 60 s,
/// roughly ×2.5 apart, so both a rule-only run and a long generation land
/// in a bucket that tells them apart.
const LATENCY_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0, 60.0,
];

/// Bucket upper bounds (seconds) for how long people take to resolve a
/// review: 1 minute to 3 days.
const REVIEW_BUCKETS: &[f64] = &[
    60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0, 259200.0,
];

/// How often histogram samples are folded into their buckets when nobody
/// scrapes (rendering does it too); bounds the memory samples take.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// A handle on the installed Prometheus recorder; cheap to clone.
#[derive(Clone, Debug)]
pub struct MetricsHandle {
    inner: PrometheusHandle,
}

impl MetricsHandle {
    /// Every metric in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.inner.render()
    }

    /// The wrapped exporter handle.
    pub fn prometheus(&self) -> &PrometheusHandle {
        &self.inner
    }
}

static INSTALLED: OnceLock<std::result::Result<MetricsHandle, Error>> = OnceLock::new();

/// Installs the global Prometheus recorder once per process; later calls
/// return the same handle. Fails when another `metrics` recorder was
/// installed first.
pub fn install_metrics() -> Result<MetricsHandle> {
    INSTALLED.get_or_init(install_once).clone()
}

fn install_once() -> Result<MetricsHandle> {
    let mut builder = PrometheusBuilder::new();
    let histograms = airlock_engine::metrics_names::HISTOGRAMS
        .iter()
        .chain(airlock_webhooks::metrics_names::HISTOGRAMS)
        .copied()
        .chain([HTTP_REQUEST_DURATION_SECONDS]);
    for name in histograms {
        let buckets = if name == airlock_engine::metrics_names::REVIEW_DURATION_SECONDS {
            REVIEW_BUCKETS
        } else {
            LATENCY_BUCKETS
        };
        builder = builder
            .set_buckets_for_metric(Matcher::Full(name.to_string()), buckets)
            .map_err(|e| Error::internal(format!("metrics buckets for {name}: {e}")))?;
    }
    let store_buckets = airlock_store::metrics_names::DURATION_HISTOGRAMS
        .iter()
        .map(|name| (*name, airlock_store::metrics_names::DURATION_BUCKETS))
        .chain([(
            airlock_store::metrics_names::COMMIT_BATCH_SIZE,
            airlock_store::metrics_names::BATCH_SIZE_BUCKETS,
        )]);
    for (name, buckets) in store_buckets {
        builder = builder
            .set_buckets_for_metric(Matcher::Full(name.to_string()), buckets)
            .map_err(|e| Error::internal(format!("metrics buckets for {name}: {e}")))?;
    }
    let handle = builder.install_recorder().map_err(|e| {
        Error::internal(format!("cannot install the Prometheus recorder: {e}"))
            .with_hint("another metrics recorder is already installed in this process")
    })?;
    // `install_recorder` starts no upkeep task; a plain thread does it so
    // this works with or without a tokio runtime around.
    let upkeep = handle.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || loop {
            std::thread::sleep(UPKEEP_INTERVAL);
            upkeep.run_upkeep();
        })
        .map_err(|e| Error::internal(format!("cannot start the metrics upkeep thread: {e}")))?;
    Ok(MetricsHandle { inner: handle })
}
