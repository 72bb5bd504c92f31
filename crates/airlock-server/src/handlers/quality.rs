//! A workflow's quality measured by people's decisions.

use airlock_engine::QualityReport;
use axum::extract::State;
use axum::Json;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::{ErrorResponse, QualityReportView};
use crate::extract::{PathParam, QueryPairs};
use crate::query::QualityParams;
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
