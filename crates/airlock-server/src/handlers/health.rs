//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`:
//! the database answers, so runs can be recorded).

use airlock_core::{Error, ErrorKind};
use axum::extract::State;
use axum::Json;

use crate::api_error::ApiError;
use crate::dto::{ErrorResponse, HealthView, ReadinessView};
use crate::state::AppState;

/// Liveness: always `200` while the process serves requests.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "The process is alive", body = HealthView))
)]
pub async fn healthz() -> Json<HealthView> {
    Json(HealthView { status: "ok" })
}

/// Readiness: `200` when the database answers, `503 unavailable` with the
/// database error otherwise.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve runs", body = ReadinessView),
        (status = 503, description = "The database does not answer", body = ErrorResponse),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<ReadinessView>, ApiError> {
    let readiness = state.engine.readiness().await;
    match readiness.database {
        Ok(()) => Ok(Json(ReadinessView {
            status: "ready",
            database: "ok",
            models: readiness.models,
        })),
        Err(database) => Err(Error::new(
            ErrorKind::Unavailable,
            format!("the database does not answer: {database}"),
        )
        .with_field("database")
        .with_hint("check the database is up and reachable at the configured URL")
        .into()),
    }
}
