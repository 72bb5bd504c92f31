//! Workflow definitions: the list and one in full.

use axum::extract::State;
use axum::Json;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::{ErrorResponse, WorkflowDetailView, WorkflowList, WorkflowSummaryView};
use crate::extract::PathParam;
use crate::state::AppState;

/// Every loaded workflow, by name.
#[utoipa::path(
    get,
    path = "/v1/workflows",
    tag = "workflows",
    responses((status = 200, description = "The loaded workflows the key may read", body = WorkflowList))
)]
pub async fn list_workflows(State(state): State<AppState>, caller: Caller) -> Json<WorkflowList> {
    let allowed = state
        .engine
        .allowed_workflows(&caller.principal, Action::ReadWorkflow);
    Json(WorkflowList {
        items: state
            .engine
            .workflows()
            .filter(|w| allowed.contains(&w.name))
            .map(|w| WorkflowSummaryView::from(&**w))
            .collect(),
    })
}

/// One workflow's definition: steps, decision rules, contracts and output
/// expression, each expression as its CEL source.
#[utoipa::path(
    get,
    path = "/v1/workflows/{name}",
    tag = "workflows",
    params(("name" = String, Path, description = "The workflow name")),
    responses(
        (status = 200, description = "The definition", body = WorkflowDetailView),
        (status = 404, description = "No such workflow", body = ErrorResponse),
    )
)]
pub async fn get_workflow(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(name): PathParam,
) -> Result<Json<WorkflowDetailView>, ApiError> {
    authorize::workflow(&state, &caller, Action::ReadWorkflow, &name).await?;
    let workflow = state.engine.workflow(&name)?;
    Ok(Json(WorkflowDetailView::from(&**workflow)))
}
