//! A workflow's quality measured by people's decisions, and its runs over
//! time (the dashboard's charts).

use airlock_engine::QualityReport;
use axum::extract::State;
use axum::Json;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::{ErrorResponse, QualityReportView, TimelineView};
use crate::extract::{PathParam, QueryPairs};
use crate::query::{QualityParams, TimelineParams};
use crate::state::AppState;

/// Automation, review, override and reject rates, the suggestion's
/// accuracy on reviewed runs (overall and per label), the review backlog
/// and SLA breaches, and feedback, over every version and per version.
#[utoipa::path(
    get,
    path = "/v1/workflows/{name}/quality",
    tag = "workflows",
    params(("name" = String, Path, description = "The workflow name"), QualityParams),
    responses(
        (status = 200, description = "The report", body = QualityReportView),
        (status = 400, description = "A bad or unknown parameter; `field` names it", body = ErrorResponse),
        (status = 404, description = "No such workflow", body = ErrorResponse),
    )
)]
pub async fn workflow_quality(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(name): PathParam,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<QualityReport>, ApiError> {
    authorize::workflow(&state, &caller, Action::ReadWorkflow, &name).await?;
    let params = QualityParams::parse(pairs)?;
    Ok(Json(state.engine.quality(&name, params.since).await?))
}

/// Runs per time bucket with their decision mix and latency p50/p99.
#[utoipa::path(
    get,
    path = "/v1/workflows/{name}/timeline",
    tag = "workflows",
    params(("name" = String, Path, description = "The workflow name"), TimelineParams),
    responses(
        (status = 200, description = "The timeline", body = TimelineView),
        (status = 400, description = "A bad or unknown parameter, or more than 1000 buckets; `field` names it", body = ErrorResponse),
        (status = 404, description = "No such workflow", body = ErrorResponse),
    )
)]
pub async fn workflow_timeline(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(name): PathParam,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<TimelineView>, ApiError> {
    authorize::workflow(&state, &caller, Action::ReadWorkflow, &name).await?;
    let params = TimelineParams::parse(pairs)?;
    let now = airlock_core::Timestamp::now();
    let since = match params.since {
        Some(since) => since,
        None => airlock_core::Timestamp::from_unix_ms(
            now.unix_ms() - TimelineParams::DEFAULT_WINDOW.as_millis() as i64,
        )?,
    };
    let bucket = params.bucket.unwrap_or(TimelineParams::DEFAULT_BUCKET);
    let timeline = state.engine.timeline(&name, since, now, bucket).await?;
    Ok(Json(timeline.into()))
}
