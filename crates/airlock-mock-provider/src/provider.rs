//! `MockProvider`: a running mock server bound to a local port, and the
//! handle tests use to shape its behaviour and read what it saw.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::faults::{Fault, FaultRule};
use crate::router::router;
use crate::state::MockState;
use crate::stats::RecordedRequest;

/// Options for a mock; finish with [`MockProviderBuilder::start`].
#[derive(Debug, Clone, Default)]
pub struct MockProviderBuilder {
    api_key: Option<String>,
    latency: Duration,
}

impl MockProviderBuilder {
    /// Require this key: `Authorization: Bearer <key>` on OpenAI routes,
    /// `x-api-key: <key>` on Anthropic ones (else 401).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Wait this long before every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Serves on 127.0.0.1 at a free port.
    ///
    /// # Panics
    /// When no loopback port can be bound (the machine is unusable for
    /// tests then).
    pub async fn start(self) -> MockProvider {
        self.start_on(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("binding a free port on 127.0.0.1")
    }

    /// Serves on `addr` (port 0 picks a free one).
    pub async fn start_on(self, addr: SocketAddr) -> std::io::Result<MockProvider> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let state = Arc::new(MockState::new(self.api_key, self.latency, stopped.clone()));
        let app = router(Arc::clone(&state));
        let listener = listener.tap_io(|tcp| {
            // Small answers and stream events must not wait for Nagle.
            let _ = tcp.set_nodelay(true);
        });
        let mut until_stopped = stopped;
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = until_stopped.wait_for(|stopped| *stopped).await;
            };
            // Serving only ends by the shutdown signal; an accept error is
            // retried inside axum, so there is nothing to report here.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await;
        });
        Ok(MockProvider {
            addr,
            state,
            stop,
            task: Some(task),
        })
    }
}

/// A mock provider serving on a spawned task until dropped or shut down.
#[derive(Debug)]
pub struct MockProvider {
    addr: SocketAddr,
    state: Arc<MockState>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl MockProvider {
    /// A mock with no key check and no added latency, on a free port.
    pub async fn start() -> MockProvider {
        Self::builder().start().await
    }

    /// A mock with default options on `addr`.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<MockProvider> {
        Self::builder().start_on(addr).await
    }

    pub fn builder() -> MockProviderBuilder {
        MockProviderBuilder::default()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL OpenAI clients take: `url()` + `/v1`.
    pub fn openai_base_url(&self) -> String {
        format!("{}/v1", self.url())
    }

    /// The base URL Anthropic clients take (they POST `{base}/v1/messages`).
    pub fn anthropic_base_url(&self) -> String {
        self.url()
    }

    /// Queue a fault rule behind the ones already queued.
    pub fn push_fault(&self, rule: FaultRule) {
        self.state.faults.push(rule);
    }

    /// The fault every request suffers when no rule matches it.
    pub fn set_default_fault(&self, fault: Option<Fault>) {
        self.state.faults.set_default(fault);
    }

    /// Drop every queued rule and the default fault.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// API requests received (admin requests are not counted).
    pub fn request_count(&self) -> u64 {
        self.state.stats.count()
    }

    /// The last (at most 10 000) API requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.stats.requests()
    }

    /// Zero the counters and forget the request log (faults stay).
    pub fn reset_stats(&self) {
        self.state.stats.reset();
    }

    /// Stop serving and wait until the server task has ended: hung and
    /// stalled answers are released, idle connections closed.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serve until the process ends (for the binary).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
