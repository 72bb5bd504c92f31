//! `GET /v1/me`: who the caller's key says it is (any valid key).

use axum::Json;

use crate::auth::Caller;
use crate::dto::{ErrorResponse, MeView};

/// The caller: key id, name, role and granted workflows.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "keys",
    responses(
        (status = 200, description = "The caller", body = MeView),
        (status = 401, description = "No valid API key", body = ErrorResponse),
    )
)]
pub async fn me(caller: Caller) -> Json<MeView> {
    Json(MeView::from(&*caller.principal))
}
