//! `GET /openapi.json`: the API's OpenAPI document.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3 document of this API", content_type = "application/json", body = Object))
)]
pub async fn openapi_json() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "application/json")],
        crate::openapi::openapi_json(),
    )
}
