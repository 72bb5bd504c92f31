//! `GET /openapi.json`: the API's OpenAPI document.

use airlock_policy::authz::Action;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::state::AppState;

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3 document of this API", content_type = "application/json", body = Object))
)]
pub async fn openapi_json(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    authorize::service(&state, &caller, Action::ReadApiDocs).await?;
    Ok((
        [(CONTENT_TYPE, "application/json")],
        crate::openapi::openapi_json(),
    ))
}
