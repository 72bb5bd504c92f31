//! The state every handler shares: configuration, faults, counters and the
//! shutdown signal that releases hung and stalled connections.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use tokio::sync::watch;

use crate::faults::FaultQueue;
use crate::stats::Stats;

#[derive(Debug)]
pub(crate) struct MockState {
    /// The key clients must present, when set.
    pub api_key: Option<String>,
    /// Added before every answer.
    pub latency: Duration,
    pub faults: FaultQueue,
    pub stats: Stats,
    next_id: AtomicU64,
    shutdown: watch::Receiver<bool>,
}

impl MockState {
    pub(crate) fn new(
        api_key: Option<String>,
        latency: Duration,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        Self {
            api_key,
            latency,
            faults: FaultQueue::default(),
            stats: Stats::default(),
            next_id: AtomicU64::new(1),
            shutdown,
        }
    }

    /// A number unique within this mock, for response ids.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Resolves once the mock is shutting down (or already has).
    pub(crate) fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut shutdown = self.shutdown.clone();
        async move {
            // An error means the sender is gone: stopped as well.
            let _ = shutdown.wait_for(|stopped| *stopped).await;
        }
    }

    /// Whether `Authorization: Bearer <key>` matches (OpenAI style).
    pub(crate) fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        let Some(key) = &self.api_key else {
            return true;
        };
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|given| given == key)
    }

    /// Whether `x-api-key: <key>` matches (Anthropic style).
    pub(crate) fn x_api_key_ok(&self, headers: &HeaderMap) -> bool {
        let Some(key) = &self.api_key else {
            return true;
        };
        headers
            .get("x-api-key")
            .is_some_and(|given| given.as_bytes() == key.as_bytes())
    }
}

/// Seconds since the Unix epoch, for `created` fields.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
