//! Request extractors whose rejections answer with Airlock's error shape
//! instead of axum's plain-text ones: the JSON body of a run, path
//! parameters and query strings.

use airlock_core::{Error, ErrorKind};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::state::AppState;

/// The JSON request body, any JSON value (the workflow's input schema
/// decides what is acceptable). Rejections: `415` without a JSON
/// `Content-Type`, `400` for malformed JSON (saying where), `413` over the
/// configured body limit.
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<Value>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(payload_too_large(state.max_body_bytes).into())
            }
            Err(rejection) => Err(rejection.into()),
        }
    }
}

/// A path parameter, as text (handlers parse it and name it on error).
#[derive(FromRequestParts, Deserialize)]
#[serde(transparent)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct PathParam(pub String);

/// Every query parameter in order, repeated ones included, so the parser
/// can name unknown and repeated parameters.
#[derive(FromRequestParts, Deserialize)]
#[serde(transparent)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct QueryPairs(pub Vec<(String, String)>);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Error::new(
                ErrorKind::UnsupportedMediaType,
                "the request body must be JSON with `Content-Type: application/json`",
            )
            .with_field("Content-Type")
            .with_hint(
                "send the workflow input as a JSON document with Content-Type: application/json",
            ),
            JsonRejection::JsonSyntaxError(e) => Error::invalid_input(format!(
                "the request body is not valid JSON: {}",
                source_text(&e)
            ))
            .with_field("body")
            .with_hint("send the workflow input as one JSON document"),
            JsonRejection::JsonDataError(e) => Error::invalid_input(format!(
                "the request body cannot be read as JSON: {}",
                source_text(&e)
            ))
            .with_field("body"),
            other => Error::invalid_input(format!(
                "cannot read the request body: {}",
                other.body_text()
            ))
            .with_field("body"),
        }
        .into()
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Error::invalid_input(format!("bad path parameter: {}", rejection.body_text())).into()
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Error::invalid_input(format!("bad query string: {}", rejection.body_text()))
            .with_hint("percent-encode parameter values")
            .into()
    }
}

/// The innermost message of a rejection (serde_json's, which says where:
/// `expected value at line 1 column 9`).
fn source_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = error;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// The `413 payload_too_large` error naming the configured limit.
pub fn payload_too_large(limit: usize) -> Error {
    Error::new(
        ErrorKind::PayloadTooLarge,
        format!("the request body is larger than the limit of {limit} bytes"),
    )
    .with_field("body")
    .with_hint("send a smaller input; the limit is the server's max_body_bytes")
}

/// Parses the `{id}` path parameter as a `noun` id (`RunId`, `ReviewId`...);
/// a malformed one is `400` naming `id`.
pub fn parse_path_id<T: std::str::FromStr<Err = Error>>(id: &str, noun: &str) -> Result<T, Error> {
    id.parse().map_err(|_: Error| {
        Error::invalid_input(format!("`{id}` is not a valid {noun} id"))
            .with_field("id")
            .with_hint(format!(
                "{noun} ids are 26-character ULIDs such as 01J9ZQ3V6T8K2M4N5P7R9S1T3V"
            ))
    })
}
