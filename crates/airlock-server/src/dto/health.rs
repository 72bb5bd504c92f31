//! Liveness and readiness bodies.

use serde::Serialize;
use utoipa::ToSchema;

/// `GET /healthz`: the process answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// `GET /readyz` when runs can be served.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessView {
    #[schema(example = "ready")]
    pub status: &'static str,
    #[schema(example = "ok")]
    pub database: &'static str,
    /// The loaded models.
    pub models: Vec<String>,
}
