//! [`AppState`]: what every handler shares (cheap to clone).

use airlock_engine::Engine;

use crate::metrics_setup::MetricsHandle;
use crate::session::Sessions;

#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub metrics: MetricsHandle,
    /// Shown in error messages for oversized bodies.
    pub max_body_bytes: usize,
    /// Dashboard sign-in sessions.
    pub sessions: Sessions,
}
