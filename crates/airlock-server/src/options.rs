//! [`ServerOptions`]: the limits the HTTP layer enforces on every request.

use std::time::Duration;

use crate::session::SessionOptions;

/// Request limits; [`ServerOptions::default`] fits a single server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerOptions {
    /// Largest request body accepted (bytes); larger ones get `413 payload_too_large`.
    pub max_body_bytes: usize,
    /// Longest a request may take before it is answered `504 timeout`.
    pub request_timeout: Duration,
    /// Most requests handled at once; the next are shed with `503`
    /// (health, readiness and metrics are never shed).
    pub max_in_flight: usize,
    /// How dashboard sign-in sessions are signed and how long they last.
    pub session: SessionOptions,
}

impl ServerOptions {
    /// 1 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
    /// 60 seconds.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
    /// 1024 requests.
    pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            max_in_flight: Self::DEFAULT_MAX_IN_FLIGHT,
            session: SessionOptions::default(),
        }
    }
}
