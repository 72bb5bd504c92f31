//! The OpenAI-compatible API: `POST /v1/chat/completions` (whole, or as
//! server-sent events with `stream: true`), `POST /v1/embeddings` and
//! `GET /v1/models`, so code written against the OpenAI SDKs can go
//! through Airlock by changing its base URL and key. Requests pass the
//! same authentication, authorization (`call_models`), budgets, audit and
//! metrics as the rest of the API; errors come in OpenAI's shape
//! ([`errors`]).

pub mod chat;
pub mod embeddings;
pub mod errors;
mod finish_on_drop;
pub mod models;
mod wire;

pub(crate) use finish_on_drop::finish_on_drop;

/// The request header naming the data class of what a call sends.
pub const DATA_CLASS_HEADER: &str = "airlock-data-class";

/// Whether `path` is one of the OpenAI-compatible endpoints.
pub fn is_openai_path(path: &str) -> bool {
    matches!(
        path,
        "/v1/chat/completions" | "/v1/embeddings" | "/v1/models"
    ) || path.starts_with("/v1/models/")
}

/// The data class the caller named in [`DATA_CLASS_HEADER`], if any.
pub(crate) fn data_class(
    headers: &axum::http::HeaderMap,
) -> Result<Option<String>, airlock_core::Error> {
    match headers.get(DATA_CLASS_HEADER) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(|v| Some(v.trim().to_ascii_lowercase()))
            .map_err(|_| {
                airlock_core::Error::invalid_input("the Airlock-Data-Class header is not text")
                    .with_field("Airlock-Data-Class")
            }),
    }
}

/// Parses a JSON body, naming what is wrong.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<T, airlock_core::Error> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(airlock_core::Error::new(
            airlock_core::ErrorKind::UnsupportedMediaType,
            "the request body must be JSON with `Content-Type: application/json`",
        )
        .with_field("Content-Type"));
    }
    serde_json::from_slice(body).map_err(|e| {
        airlock_core::Error::invalid_input(format!("the request body is not a valid request: {e}"))
    })
}
