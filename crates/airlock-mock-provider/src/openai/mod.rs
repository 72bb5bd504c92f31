//! The OpenAI API: chat completions (plain and streamed), embeddings and
//! the model list.

mod chat;
mod chat_stream;
mod embeddings;
mod models;

pub(crate) use chat::chat_completions;
pub(crate) use embeddings::embeddings;
pub(crate) use models::list_models;

use axum::http::StatusCode;
use axum::response::Response;

use crate::api_error::openai_error;
pub(crate) use crate::reply::is_missing_model as is_missing;

/// The 404 OpenAI answers for an unknown model.
fn model_not_found(model: &str) -> Response {
    openai_error(
        StatusCode::NOT_FOUND,
        &format!("The model `{model}` does not exist"),
        "invalid_request_error",
        Some("model"),
        Some("model_not_found"),
    )
}
