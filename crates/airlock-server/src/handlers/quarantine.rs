//! Quarantined inputs: those that failed their workflow's input contract.

use axum::extract::State;
use axum::Json;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::{ErrorResponse, QuarantinePage, QuarantineView};
use crate::extract::QueryPairs;
use crate::query::ListQuarantineParams;
use crate::state::AppState;

/// Quarantined inputs, newest first, one page at a time.
#[utoipa::path(
    get,
    path = "/v1/quarantine",
    tag = "quarantine",
    params(ListQuarantineParams),
    responses(
        (status = 200, description = "One page of quarantined inputs", body = QuarantinePage),
        (status = 400, description = "An unknown, repeated or empty parameter, or a bad value; `field` names it", body = ErrorResponse),
    )
)]
pub async fn list_quarantine(
    State(state): State<AppState>,
    caller: Caller,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<QuarantinePage>, ApiError> {
    let mut filter = ListQuarantineParams::parse(pairs)?.into_filter();
    filter.workflows = authorize::scope(
        &state,
        &caller,
        Action::ReadQuarantine,
        filter.workflow.as_deref(),
    )
    .await?;
    let page = state.engine.list_quarantine(&filter).await?;
    Ok(Json(QuarantinePage {
        items: page.items.into_iter().map(QuarantineView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
