//! `GET /metrics`: every metric in the Prometheus text format.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::state::AppState;

/// The Prometheus text exposition format's media type.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The engine's metrics (runs, steps, quarantine, replays) and the HTTP
/// metrics, for Prometheus to scrape.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"))
)]
pub async fn metrics(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    authorize::service(&state, &caller, Action::ReadMetrics).await?;
    Ok(([(CONTENT_TYPE, PROMETHEUS_TEXT)], state.metrics.render()))
}
