//! Answers axum would otherwise give as empty or plain-text bodies, in the
//! one error shape: unknown route (404), wrong method (405), timeout (504).

use airlock_core::{Error, ErrorKind};
use axum::http::{Method, Uri};
use axum::BoxError;

use crate::api_error::ApiError;

/// No route matches the path.
pub async fn not_found(method: Method, uri: Uri) -> ApiError {
    Error::not_found(format!("no route for {method} {}", uri.path()))
        .with_hint("GET /openapi.json lists every route")
        .into()
}

/// The path exists but not with this method (axum adds the `Allow` header).
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    Error::new(
        ErrorKind::MethodNotAllowed,
        format!("{method} is not allowed on {}", uri.path()),
    )
    .with_hint("the Allow header lists the methods this route serves")
    .into()
}

/// Errors of the timeout layer: the request ran out of time (anything else
/// from the layer stack would be a bug).
pub async fn layer_error(method: Method, uri: Uri, error: BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        Error::new(
            ErrorKind::Timeout,
            format!(
                "{method} {} did not finish within the server's request timeout",
                uri.path()
            ),
        )
        .with_hint(
            "a run keeps going and is recorded; retry with the same Idempotency-Key to get it",
        )
        .into()
    } else {
        Error::internal(format!("{method} {}: {error}", uri.path())).into()
    }
}
